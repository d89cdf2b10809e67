/** etcd's lock and election services, built on KV, leases and change events as etcd's concurrency package builds them. */
package io.metastore.server.concurrency;
