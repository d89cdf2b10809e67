/** The Raft layer over sofa-jraft: the node, the state machine that applies committed entries, and snapshots. */
package io.metastore.server.raft;
