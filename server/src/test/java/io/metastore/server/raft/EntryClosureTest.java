package io.metastore.server.raft;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.metastore.command.Compact;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;
import io.metastore.server.propose.Proposal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which failed entries may be sent again: only those jraft refused before appending them. */
class EntryClosureTest {

    @Test
    void aRefusalBeforeTheAppendIsNotLeader() {
        assertEquals(EtcdError.NOT_LEADER, EntryClosure.errorFor(new Status(RaftError.EPERM, "Is not leader.")));
        assertEquals(EtcdError.NOT_LEADER, EntryClosure.errorFor(new Status(RaftError.EPERM, "Is transferring leadership.")));
    }

    @Test
    void anAppendedEntryOfALeaderThatSteppedDownIsAnUnknownOutcome() {
        // jraft clears its pending entries with EPERM; the next leader may still commit them
        assertEquals(EtcdError.LEADER_CHANGED, EntryClosure.errorFor(new Status(RaftError.EPERM, "Leader stepped down")));
        assertEquals(EtcdError.LEADER_CHANGED, EntryClosure.errorFor(new Status(RaftError.ESTALE, "stale")));
    }

    @Test
    void theProposalsFailWithTheMappedError() {
        Proposal p = Proposal.of(new Compact(1, false));
        new EntryClosure(p.command(), List.of(p)).run(new Status(RaftError.EPERM, "Leader stepped down"));
        CompletionException e = assertThrows(CompletionException.class, () -> p.result().join());
        assertEquals(EtcdError.LEADER_CHANGED, GrpcErrors.etcdError(e.getCause()));
    }
}
