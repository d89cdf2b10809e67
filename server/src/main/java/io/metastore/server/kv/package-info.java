/** etcd's KV operations between the gRPC handlers and Raft: request checks, proposals, linearizable reads, headers. */
package io.metastore.server.kv;
