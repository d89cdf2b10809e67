/** Member ids: the replicated map from Raft peer address to the id etcd's Cluster API reports. */
package io.metastore.server.member;
