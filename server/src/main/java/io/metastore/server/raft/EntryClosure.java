package io.metastore.server.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.metastore.command.Command;
import io.metastore.server.error.EtcdError;
import io.metastore.server.propose.Proposal;

import java.util.List;
import java.util.Set;

/**
 * The leader's handle on an entry it proposed: the command object itself (so the leader
 * applies it without decoding) and the proposals waiting for its results. The state machine
 * completes the proposals when it applies the entry; jraft runs this closure afterwards, and
 * with an error status when the entry never made it (not leader, busy, shut down).
 */
final class EntryClosure implements Closure {
    private final Command command;
    private final List<Proposal> proposals;
    private final Outcome outcome;
    /** When the entry was handed to jraft ({@link System#nanoTime}). */
    private final long handedNanos = System.nanoTime();

    /** Told once, when jraft runs the closure: how many commands the entry held and whether it was applied. */
    @FunctionalInterface
    interface Outcome {
        void finished(int commands, boolean ok);

        Outcome NONE = (commands, ok) -> { };
    }

    EntryClosure(Command command, List<Proposal> proposals) {
        this(command, proposals, Outcome.NONE);
    }

    EntryClosure(Command command, List<Proposal> proposals, Outcome outcome) {
        this.command = command;
        this.proposals = proposals;
        this.outcome = outcome;
    }

    Command command() {
        return command;
    }

    List<Proposal> proposals() {
        return proposals;
    }

    long handedNanos() {
        return handedNanos;
    }

    /** jraft's messages for the two refusals that come before the entry is appended. */
    private static final Set<String> REFUSED_BEFORE_APPEND = Set.of("Is not leader.", "Is transferring leadership.");

    /**
     * The etcd error for a failed entry. Only a refusal before the append is "not leader",
     * which callers may route again; jraft also answers EPERM ("Leader stepped down") for
     * entries that were appended when the leader lost its term, and those may still be
     * committed by the next leader, so they are "leader changed": the outcome is unknown and
     * sending the request again could apply it twice.
     */
    static EtcdError errorFor(Status status) {
        RaftError code = RaftError.forNumber(status.getCode());
        return switch (code == null ? RaftError.UNKNOWN : code) {
            case EBUSY -> EtcdError.TOO_MANY_REQUESTS;
            case EPERM -> REFUSED_BEFORE_APPEND.contains(status.getErrorMsg()) ? EtcdError.NOT_LEADER : EtcdError.LEADER_CHANGED;
            case ESTALE, ELEADERREMOVED -> EtcdError.LEADER_CHANGED;
            case ENODESHUTDOWN, ESHUTDOWN, ESTOP -> EtcdError.STOPPED;
            default -> null;
        };
    }

    @Override
    public void run(Status status) {
        outcome.finished(proposals.size(), status.isOk());
        if (status.isOk()) {
            return;
        }
        EtcdError error = errorFor(status);
        for (Proposal p : proposals) {
            p.result().completeExceptionally(error != null ? error.exception()
                    : new IllegalStateException("raft: " + status));
        }
    }
}
