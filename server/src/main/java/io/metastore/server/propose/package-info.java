/** Proposal strategies: how commands travel from request threads into the Raft log, and their backpressure. */
package io.metastore.server.propose;
