/** Leases: the replicated lease table, leader-only expiry with two detection strategies, and etcd's Lease operations. */
package io.metastore.server.lease;
