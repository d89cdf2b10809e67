/**
 * The Raft peer transport: jraft's RPCs (and MetaStore's own between members) over gRPC, with
 * mutual TLS from etcd's {@code --peer-*} flags, or over jraft's bolt for comparison. Plugged into
 * jraft through its {@code RaftRpcFactory} service.
 */
package io.metastore.server.peer;
