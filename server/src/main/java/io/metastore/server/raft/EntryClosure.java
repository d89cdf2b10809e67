package io.metastore.server.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.metastore.command.Command;
import io.metastore.server.error.EtcdError;
import io.metastore.server.propose.Proposal;

import java.util.List;

/**
 * The leader's handle on an entry it proposed: the command object itself (so the leader
 * applies it without decoding) and the proposals waiting for its results. The state machine
 * completes the proposals when it applies the entry; jraft runs this closure afterwards, and
 * with an error status when the entry never made it (not leader, busy, shut down).
 */
final class EntryClosure implements Closure {
    private final Command command;
    private final List<Proposal> proposals;

    EntryClosure(Command command, List<Proposal> proposals) {
        this.command = command;
        this.proposals = proposals;
    }

    Command command() {
        return command;
    }

    List<Proposal> proposals() {
        return proposals;
    }

    @Override
    public void run(Status status) {
        if (status.isOk()) {
            return;
        }
        EtcdError error = switch (RaftError.forNumber(status.getCode()) == null ? RaftError.UNKNOWN
                : RaftError.forNumber(status.getCode())) {
            case EBUSY -> EtcdError.TOO_MANY_REQUESTS;
            case EPERM -> EtcdError.NOT_LEADER;
            case ESTALE, ELEADERREMOVED -> EtcdError.LEADER_CHANGED;
            case ENODESHUTDOWN, ESHUTDOWN, ESTOP -> EtcdError.STOPPED;
            default -> null;
        };
        for (Proposal p : proposals) {
            p.result().completeExceptionally(error != null ? error.exception()
                    : new IllegalStateException("raft: " + status));
        }
    }
}
