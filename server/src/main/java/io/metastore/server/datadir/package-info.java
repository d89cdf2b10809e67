/** The data dir's permissions: owner-only, as etcd keeps its data dir, since it holds every key and the auth state. */
package io.metastore.server.datadir;
