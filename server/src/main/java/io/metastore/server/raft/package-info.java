/**
 * The Raft layer over sofa-jraft: the node, the state machine that applies committed entries,
 * snapshots, jraft's log storage timed for the metrics, and the timer factory jraft's service
 * loader finds ahead of its own (coarser hashed-wheel ticks).
 */
package io.metastore.server.raft;
