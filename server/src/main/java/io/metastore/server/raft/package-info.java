/**
 * The Raft layer over sofa-jraft: the node, the state machine that applies committed entries,
 * snapshots, and jraft's log storage timed for the metrics.
 */
package io.metastore.server.raft;
