package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;
import io.metastore.server.error.EtcdError;
import io.metastore.server.metrics.Stages;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Passes writes that reach a follower to the leader over jraft's RPC transport, as etcd's
 * followers do, so a client never has to find the leader. While there is no leader it waits
 * (bounded) for one; the leader never forwards again.
 */
public final class LeaderForwarder implements AutoCloseable {
    private final RaftNode raft;
    private final RpcClient client;
    private final long timeoutMillis;

    private final AppliedIndex applied;
    private final Stages stages;

    private final java.util.function.Supplier<String> caller;
    private final int batch;
    private final java.util.function.IntConsumer sentMessage;
    private final java.util.Map<Endpoint, Batcher> batchers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param client a started client of this member's peer transport, shut down by {@link #close}
     * @param caller the authenticated user of the client call running on the calling thread ({@code null}
     *               without one), sent with each forwarded request for the leader to check again
     * @param batch  the most requests one message to the leader carries (1: each request a message of its own)
     * @param sent   told the number of requests of every message sent to the leader
     */
    public LeaderForwarder(RaftNode raft, RpcClient client, java.util.function.Supplier<String> caller, AppliedIndex applied,
                           long timeoutMillis, Stages stages, int batch, java.util.function.IntConsumer sent) {
        this.raft = raft;
        this.sentMessage = sent;
        this.batch = batch;
        this.caller = caller;
        this.applied = applied;
        this.stages = stages;
        this.timeoutMillis = timeoutMillis;
        this.client = client;
    }

    /** Parses the leader's answer. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException;
    }

    /** Attempts before a request that keeps meeting a former leader fails with "not leader". */
    private static final int ROUTE_ATTEMPTS = 30;
    private static final long ROUTE_BACKOFF_MS = 100;

    /**
     * Runs a leader-only request where it can run: here while this member leads, otherwise on
     * the leader. A request refused with "not leader" — jraft rejected the entry, so nothing
     * was applied — is routed again to the leader of the moment, a bounded number of times; an
     * outcome that may have been applied (a lost connection, a leader change after the append)
     * is never retried. The request goes in a message of its own.
     */
    public <T> CompletableFuture<T> route(java.util.function.Supplier<CompletableFuture<T>> here, ForwardRequest.Kind kind,
                                          com.google.protobuf.Message request, Parser<T> parser) {
        return route(here, kind, request, parser, UNBOUNDED_ANSWER);
    }

    /** An answer whose size the request does not bound (a range over many keys, say): never batched. */
    public static final long UNBOUNDED_ANSWER = -1;

    /**
     * As {@link #route(java.util.function.Supplier, ForwardRequest.Kind, com.google.protobuf.Message, Parser)};
     * {@code answerBytes}: the most data bytes (values, keys) the answer can hold whatever is stored — 0 for
     * an answer of counts and revisions only, one value's worth per single-key read — or
     * {@link #UNBOUNDED_ANSWER}. A bounded request may share a message to the leader with others (see
     * {@link Batcher}), as many as keep the answers together far below the transport's message limit.
     */
    public <T> CompletableFuture<T> route(java.util.function.Supplier<CompletableFuture<T>> here, ForwardRequest.Kind kind,
                                          com.google.protobuf.Message request, Parser<T> parser, long answerBytes) {
        String user = caller.get();
        Route<T> r = new Route<>(here, kind, request, parser, user, batch > 1 ? answerBytes : UNBOUNDED_ANSWER);
        if (!isKvWrite(kind)) {
            return route(r, 1);
        }
        long received = System.nanoTime();
        boolean leader = raft.isLeader();
        return route(r, 1).whenComplete((ignored, e) -> {
            if (e == null) {
                stages.writeTotal(leader, received, System.nanoTime());
            }
        });
    }

    /** The writes the latency breakdown times: KV writes (not lease, auth or membership requests). */
    private static boolean isKvWrite(ForwardRequest.Kind kind) {
        return kind == ForwardRequest.Kind.PUT || kind == ForwardRequest.Kind.DELETE_RANGE || kind == ForwardRequest.Kind.TXN;
    }

    /** One request being routed: what runs it here, and what forwards it. */
    private record Route<T>(java.util.function.Supplier<CompletableFuture<T>> here, ForwardRequest.Kind kind,
                            com.google.protobuf.Message request, Parser<T> parser, String user, long answerBytes) {
    }

    private <T> CompletableFuture<T> route(Route<T> r, int attempt) {
        CompletableFuture<T> f;
        try {
            f = raft.isLeader() ? r.here().get() : forward(r);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.exceptionallyCompose(e -> {
            if (attempt < ROUTE_ATTEMPTS && retryable(r.kind(), io.metastore.server.error.GrpcErrors.etcdError(e))) {
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(ROUTE_BACKOFF_MS, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> route(r, attempt + 1));
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    /**
     * "not leader" means nothing was appended, so any request may go again; the lease queries
     * change nothing replicated, so they may go again after any leadership trouble.
     */
    private static boolean retryable(ForwardRequest.Kind kind, EtcdError error) {
        if (error == EtcdError.NOT_LEADER) {
            return true;
        }
        boolean query = kind == ForwardRequest.Kind.LEASE_KEEP_ALIVE || kind == ForwardRequest.Kind.LEASE_TIME_TO_LIVE;
        return query && (error == EtcdError.LEADER_CHANGED || error == EtcdError.NO_LEADER || error == EtcdError.TIMEOUT);
    }

    /** Sends an etcd request of {@code user} to the current leader; completes with its parsed answer or its etcd error. */
    private <T> CompletableFuture<T> forward(Route<T> r) {
        return forward(r.kind(), r.request().toByteArray(), r.user(), r.answerBytes()).thenApply(bytes -> {
            try {
                return r.parser().parse(bytes);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("unreadable answer from the leader", e);
            }
        });
    }

    /** Sends the request to the current leader; completes with its answer or its etcd error. */
    private CompletableFuture<byte[]> forward(ForwardRequest.Kind kind, byte[] request, String user, long answerBytes) {
        long received = System.nanoTime();
        return leader(received + TimeUnit.MILLISECONDS.toNanos(timeoutMillis))
                .thenCompose(leader -> send(kind, request, user, leader, received, answerBytes));
    }

    /** The leader's address once there is one, looked for every few milliseconds without holding a thread. */
    private CompletableFuture<String> leader(long deadlineNanos) {
        String leader = raft.leaderAddress();
        if (leader != null) {
            return CompletableFuture.completedFuture(leader);
        }
        if (System.nanoTime() >= deadlineNanos) {
            return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
        }
        return CompletableFuture.supplyAsync(() -> deadlineNanos, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS))
                .thenCompose(this::leader);
    }

    private CompletableFuture<byte[]> send(ForwardRequest.Kind kind, byte[] request, String user, String leader, long received,
                                           long answerBytes) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (raft.isLeader()) {
            return CompletableFuture.failedFuture(EtcdError.LEADER_CHANGED.exception());
        }
        String[] hostPort = leader.split(":");
        Endpoint endpoint = new Endpoint(hostPort[0], Integer.parseInt(hostPort[1]));
        if (!client.checkConnection(endpoint, true)) {
            // no connection to the leader we knew: nothing was sent, so it may go again
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        long[] sent = {System.nanoTime()};
        ForwardRequest.Builder b = ForwardRequest.newBuilder().setKind(kind)
                .setRequest(com.google.protobuf.UnsafeByteOperations.unsafeWrap(request));
        if (user != null) {
            b.setUser(user);
        }
        ForwardRequest forward = b.build();
        com.alipay.sofa.jraft.rpc.InvokeCallback done = (result, error) -> {
            if (error != null) {
                // sent, then lost: the leader may have applied it, so this is not retried
                f.completeExceptionally(EtcdError.LEADER_CHANGED.exception());
            } else if (result instanceof ForwardResponse r) {
                if (r.getError().isEmpty() && r.getMessage().isEmpty()) {
                    // answer once this member has applied what the leader had, so the caller reads its write here
                    long answered = System.nanoTime();
                    raft.leaderApplied(r.getAppliedIndex(), r.getAppliedTerm());
                    applied.await(r.getAppliedIndex()).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .whenComplete((v, e) -> {
                                if (isKvWrite(kind)) {
                                    stages.followerWrite(received, sent[0], answered, System.nanoTime());
                                }
                                f.complete(r.getResponse().toByteArray());
                            });
                } else if (!r.getError().isEmpty()) {
                    f.completeExceptionally(EtcdError.valueOf(r.getError()).exception());
                } else {
                    f.completeExceptionally(new IllegalStateException(r.getMessage()));
                }
            } else {
                f.completeExceptionally(new IllegalStateException("unexpected answer from leader: " + result));
            }
        };
        if (answerBytes != UNBOUNDED_ANSWER) {
            batchers.computeIfAbsent(endpoint, Batcher::new).add(new Pending(forward, answerBytes, done, sent));
            return f;
        }
        try {
            sentMessage.accept(1);
            client.invokeAsync(endpoint, forward, done, timeoutMillis);
        } catch (Exception e) {
            f.completeExceptionally(EtcdError.LEADER_CHANGED.exception());
        }
        return f;
    }

    /** A request waiting to go to the leader, what takes its answer, and when it went ({@code sent[0]}). */
    private record Pending(ForwardRequest request, long answerBytes, com.alipay.sofa.jraft.rpc.InvokeCallback done,
                           long[] sent) {
        /** What the request and its answer weigh in a message: their data plus room for headers and errors. */
        long weight() {
            return request.getSerializedSize() + answerBytes + 512;
        }
    }

    /**
     * The most one message to the leader and its answer carry (request bytes plus answer bounds), a
     * quarter of the transport's message limit; a single heavier request goes alone.
     */
    private static final long BATCH_BYTES = 16 << 20;

    /** Messages to one leader that may be unanswered at once; more requests wait and go together. */
    private static final int BATCHES_IN_FLIGHT = 2;

    /**
     * The requests bound for the leader at one address. While fewer than
     * {@link #BATCHES_IN_FLIGHT} messages to it are unanswered a request goes at once; otherwise
     * it waits, and the answer to a message sends everything waiting (up to the batch size) as
     * the next, so the more requests arrive the more each message carries, and a lone request
     * never waits.
     */
    private final class Batcher {
        private final Endpoint endpoint;
        private final java.util.ArrayDeque<Pending> waiting = new java.util.ArrayDeque<>();
        private int inFlight;

        Batcher(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        void add(Pending p) {
            java.util.List<Pending> next;
            synchronized (this) {
                waiting.add(p);
                if (inFlight >= BATCHES_IN_FLIGHT) {
                    return;
                }
                next = take();
            }
            send(next);
        }

        /** Holding the lock: the next message's requests (at least one), counted as in flight. */
        private java.util.List<Pending> take() {
            java.util.List<Pending> out = new java.util.ArrayList<>(Math.min(waiting.size(), batch));
            long bytes = 0;
            while (!waiting.isEmpty() && out.size() < batch && (out.isEmpty() || bytes + waiting.peek().weight() <= BATCH_BYTES)) {
                Pending p = waiting.poll();
                bytes += p.weight();
                out.add(p);
            }
            inFlight++;
            return out;
        }

        private void send(java.util.List<Pending> items) {
            ForwardBatch.Builder b = ForwardBatch.newBuilder();
            long now = System.nanoTime();
            for (Pending p : items) {
                b.addRequests(p.request());
                p.sent()[0] = now;
            }
            try {
                sentMessage.accept(items.size());
                client.invokeAsync(endpoint, b.build(), (result, error) -> {
                    try {
                        if (error == null && result instanceof ForwardBatchResponse r
                                && r.getResponsesCount() == items.size()) {
                            for (int i = 0; i < items.size(); i++) {
                                items.get(i).done().complete(r.getResponses(i), null);
                            }
                        } else {
                            Throwable e = error != null ? error : new IllegalStateException("unexpected answer from leader: " + result);
                            items.forEach(p -> p.done().complete(null, e));
                        }
                    } finally {
                        answered();
                    }
                }, timeoutMillis);
            } catch (Exception e) {
                items.forEach(p -> p.done().complete(null, e));
                answered();
            }
        }

        private void answered() {
            java.util.List<Pending> next = null;
            synchronized (this) {
                inFlight--;
                if (!waiting.isEmpty()) {
                    next = take();
                }
            }
            if (next != null) {
                send(next);
            }
        }
    }

    /** Sends any request this transport knows to the member at {@code peer} ({@code host:port}). */
    public CompletableFuture<Object> call(String peer, Object request, long timeoutMs) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        String[] hostPort = peer.split(":");
        try {
            client.invokeAsync(new Endpoint(hostPort[0], Integer.parseInt(hostPort[1])), request, (result, error) -> {
                if (error != null) {
                    f.completeExceptionally(error);
                } else {
                    f.complete(result);
                }
            }, timeoutMs);
        } catch (Exception e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
