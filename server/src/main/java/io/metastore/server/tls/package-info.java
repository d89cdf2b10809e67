/** TLS: the SSL contexts of the client port and of the Raft peer port, built from etcd's certificate flags. */
package io.metastore.server.tls;
