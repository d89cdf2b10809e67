/** etcd's Maintenance and Cluster operations: status, hashes, defragmentation, snapshots, leadership and membership. */
package io.metastore.server.maintenance;
