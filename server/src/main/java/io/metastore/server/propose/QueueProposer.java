package io.metastore.server.propose;

import io.metastore.command.Command;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proposer thread taking commands from a queue and delivering them to Raft. The queue
 * decides the strategy:
 * <ul>
 *   <li>{@code unbuffered} — a {@link java.util.concurrent.SynchronousQueue}: a request thread
 *       blocks until the proposer thread takes its command, like a send on an unbuffered Go
 *       channel. One command per entry.</li>
 *   <li>{@code buffered:N} — a bounded queue of N: request threads return at once while there
 *       is room. One command per entry.</li>
 *   <li>{@code batched:maxOps:maxDelay} — a bounded queue; the proposer thread takes up to
 *       {@code maxOps} commands, waiting at most {@code maxDelay} microseconds after the first
 *       for more, and delivers them as one batch entry. With {@code :adaptive} it waits only
 *       when it already found company in the queue; a lone command goes at once.</li>
 * </ul>
 * Backpressure: a request thread waits at most {@code waitMillis} for the queue to take its
 * command, then fails it with "etcdserver: too many requests" (RESOURCE_EXHAUSTED). When
 * request threads must never block (gRPC's transport threads run the handlers), a command that
 * does not fit at once waits on one of the proposer's own threads instead, under the same limit.
 *
 * <p>Threading: many request threads call {@link #propose}; only the proposer thread calls
 * the sink, so entries reach Raft in the order the queue hands them out.
 */
final class QueueProposer implements Proposer {

    private final ProposalStrategy strategy;
    private final BlockingQueue<Proposal> queue;
    private final ProposalSink sink;
    private final long waitNanos;
    private final Thread thread;
    /** Where a command waits for room when its caller must not block; {@code null} when callers may. */
    private final java.util.concurrent.ExecutorService overflow;
    private volatile boolean closed;

    /**
     * @param callersMayBlock whether a request thread may wait for room in the queue itself; when
     *        not (requests run on gRPC's transport threads), a command that finds the queue full
     *        waits on a thread of this proposer's own instead
     */
    QueueProposer(ProposalStrategy strategy, BlockingQueue<Proposal> queue, ProposalSink sink, long waitMillis,
                  boolean callersMayBlock) {
        this.strategy = strategy;
        this.queue = queue;
        this.sink = sink;
        this.overflow = callersMayBlock ? null : java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "proposer-overflow");
            t.setDaemon(true);
            return t;
        });
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.thread = new Thread(this::run, "proposer-" + strategy.kind().name().toLowerCase(java.util.Locale.ROOT));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public CompletableFuture<Applied> propose(Command command) {
        if (closed) {
            return Proposer.failed(EtcdError.STOPPED);
        }
        Proposal p = Proposal.of(command);
        if (overflow != null && !queue.offer(p)) {
            if (waitNanos == 0) {
                return Proposer.failed(EtcdError.TOO_MANY_REQUESTS);
            }
            try {
                overflow.execute(() -> enqueue(p));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return Proposer.failed(EtcdError.STOPPED);
            }
            return p.result();
        }
        if (overflow == null) {
            enqueue(p);
        }
        return p.result();
    }

    /** Waits up to the configured time for room; fails the proposal when there is none. */
    private void enqueue(Proposal p) {
        try {
            if (!queue.offer(p, waitNanos, TimeUnit.NANOSECONDS)) {
                p.result().completeExceptionally(EtcdError.TOO_MANY_REQUESTS.exception());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.result().completeExceptionally(EtcdError.STOPPED.exception());
        }
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        List<Proposal> batch = new ArrayList<>(strategy.maxOps());
        long delayNanos = TimeUnit.MICROSECONDS.toNanos(strategy.maxDelayMicros());
        while (!closed) {
            try {
                Proposal first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (strategy.maxOps() > 1) {
                    queue.drainTo(batch, strategy.maxOps() - batch.size());
                    long deadline = strategy.adaptive() && batch.size() == 1 ? System.nanoTime() : System.nanoTime() + delayNanos;
                    while (batch.size() < strategy.maxOps()) {
                        long left = deadline - System.nanoTime();
                        Proposal next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                        queue.drainTo(batch, strategy.maxOps() - batch.size());
                    }
                }
                sink.submit(List.copyOf(batch));
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        List<Proposal> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result().completeExceptionally(EtcdError.STOPPED.exception()));
    }

    @Override
    public void close() {
        closed = true;
        if (overflow != null) {
            overflow.shutdownNow();
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Proposal> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result().completeExceptionally(EtcdError.STOPPED.exception()));
    }
}
