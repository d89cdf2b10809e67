package io.metastore.server.propose;

import java.util.List;

/**
 * Where proposers deliver: the Raft node. One call makes one Raft entry; a list of more than
 * one proposal becomes one batch entry. Failures complete the proposals' futures, never throw.
 */
@FunctionalInterface
public interface ProposalSink {
    void submit(List<Proposal> proposals);
}
