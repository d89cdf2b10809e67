package io.metastore.server.propose;

import io.metastore.command.Command;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;

import java.util.concurrent.CompletableFuture;

/**
 * Hands commands from request threads to Raft (the seed's {@code proposeC}). Implementations
 * differ in how commands wait and whether they share Raft entries; each documents its
 * backpressure. All of them fail a command that cannot be handed over in time with etcd's
 * "etcdserver: too many requests".
 */
public interface Proposer extends AutoCloseable {

    /** Proposes {@code command}; the future completes once it is applied, or fails. */
    CompletableFuture<Applied> propose(Command command);

    /** Commands waiting in this proposer's queue for the proposer thread (0 when it has no queue). */
    default int queueDepth() {
        return 0;
    }

    /** Stops taking commands; queued commands fail with "etcdserver: server stopped". */
    @Override
    void close();

    /** Builds the proposer a strategy names, delivering to {@code sink}; callers may block while it is full. */
    static Proposer create(ProposalStrategy strategy, ProposalSink sink, long waitMillis) {
        return create(strategy, sink, waitMillis, true);
    }

    /**
     * Builds the proposer a strategy names, delivering to {@code sink}.
     *
     * @param callersMayBlock false when requests run on transport threads, which must never wait
     *                        for room in the queue
     */
    static Proposer create(ProposalStrategy strategy, ProposalSink sink, long waitMillis, boolean callersMayBlock) {
        return switch (strategy.kind()) {
            case UNBUFFERED -> new QueueProposer(strategy, new java.util.concurrent.SynchronousQueue<>(), sink, waitMillis,
                    callersMayBlock);
            case BUFFERED, BATCHED -> new QueueProposer(strategy,
                    new java.util.concurrent.ArrayBlockingQueue<>(strategy.capacity()), sink, waitMillis, callersMayBlock);
        };
    }

    static <T> CompletableFuture<T> failed(EtcdError error) {
        return CompletableFuture.failedFuture(error.exception());
    }
}
