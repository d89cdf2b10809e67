package io.metastore.bench.macro.load;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.StreamObserver;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One kind of load, with its shape (clients and connections). Each run starts on a fresh,
 * empty server; workloads that read first write their keys (not measured).
 */
public sealed interface Workload {
    String name();

    int clients();

    int connections();

    /** One client on one connection: on a cluster it runs once through the leader and once through a follower. */
    default boolean singleClient() {
        return clients() == 1 && connections() == 1;
    }

    /**
     * Whether the workload sends requests: a cell of one that does and saw none succeed failed;
     * {@link Idle} sends none and measures what the servers cost with nothing to do.
     */
    default boolean sendsRequests() {
        return true;
    }

    /** One line for the report: what a request of this workload is. */
    String describe();

    Measurement run(WorkloadContext ctx) throws InterruptedException;

    /** The workloads the harness knows, by name; {@code compaction} takes its size from the arguments. */
    static Workload named(String name, int compactionRevisions, int compactionKeys) {
        return switch (name) {
            case "put-1" -> new Put(name, 1, 1);
            case "put-100" -> new Put(name, 100, 10);
            case "put-1000" -> new Put(name, 1000, 100);
            case "range-lin-1" -> new Range(name, false, 1, 1);
            case "range-lin" -> new Range(name, false, 100, 10);
            case "range-ser" -> new Range(name, true, 100, 10);
            case "txn-put" -> new TxnPut(name, 100, 10);
            case "mixed" -> new Mixed(name, 80, 100, 10);
            case "compaction" -> new Compaction(name, compactionRevisions, compactionKeys, 100, 10);
            case "lease-keepalive" -> new LeaseKeepAlive(name, 100, 10);
            case "watch-latency" -> new WatchLatency(name, 10, 10, 100);
            case IDLE -> new Idle();
            default -> throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + String.join(",", NAMES));
        };
    }

    List<String> NAMES = List.of("put-1", "put-100", "put-1000", "range-lin-1", "range-lin", "range-ser", "txn-put", "mixed", "compaction",
            "lease-keepalive", "watch-latency", "idle");

    /** The name of the {@link Idle} workload. */
    String IDLE = "idle";

    /**
     * No load at all: after the warm-up, the CPU each server spends over the window with no
     * client (timers, heartbeats between members, housekeeping), reported as CPU milliseconds
     * per second rather than per request. Its flame graph, recorded after the window, shows
     * where an idle server's time goes.
     */
    record Idle() implements Workload {
        @Override
        public String name() {
            return IDLE;
        }

        @Override
        public int clients() {
            return 0;
        }

        @Override
        public int connections() {
            return 0;
        }

        @Override
        public boolean sendsRequests() {
            return false;
        }

        @Override
        public String describe() {
            return "No requests: the servers' own CPU with no client, per second of the window";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            Thread.sleep(ctx.warmup().toMillis());
            ctx.probe().opening();
            long t0 = System.nanoTime();
            Thread.sleep(ctx.duration().toMillis());
            double seconds = (System.nanoTime() - t0) / 1e9;
            ctx.probe().closed();
            ctx.profile().whileLoaded();
            return Measurement.of(new org.HdrHistogram.Histogram(3), 0, null, seconds, Map.of());
        }
    }

    /**
     * Watch event latency, as etcd's {@code benchmark watch-latency}: {@code streams} watch streams
     * (one connection each) with {@code watchersPerStream} watchers each, all on the key space's
     * prefix; one writer puts {@code putRate} times a second to random keys, each value carrying
     * the send time. The latency of an event is from its put's send to its arrival at a watcher,
     * so each put counts once per watcher; "throughput" is events delivered per second.
     */
    record WatchLatency(String name, int streams, int watchersPerStream, int putRate) implements Workload {
        @Override
        public int clients() {
            return streams * watchersPerStream;
        }

        @Override
        public int connections() {
            return streams;
        }

        @Override
        public String describe() {
            return "Watch event latency: " + clients() + " watchers on the key prefix over " + streams
                    + " streams; one writer puts " + putRate + " times a second; latency from the put's send to each event";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            org.HdrHistogram.Recorder recorder = new org.HdrHistogram.Recorder(TimeUnit.MINUTES.toNanos(1), 3);
            java.util.concurrent.atomic.LongAdder errors = new java.util.concurrent.atomic.LongAdder();
            java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CountDownLatch created = new java.util.concurrent.CountDownLatch(clients());
            Keys keys = ctx.keys();
            try (LoadDriver d = new LoadDriver(ctx.targets(), streams)) {
                java.util.List<StreamObserver<io.etcd.jetcd.api.WatchRequest>> outs = new java.util.ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    StreamObserver<io.etcd.jetcd.api.WatchRequest> out = io.etcd.jetcd.api.WatchGrpc.newStub(d.channel(s))
                            .watch(Observers.<io.etcd.jetcd.api.WatchResponse>counting(r -> {
                                if (r.getCreated()) {
                                    created.countDown();
                                }
                                long now = System.nanoTime();
                                for (io.etcd.jetcd.api.Event e : r.getEventsList()) {
                                    long sent = Long.parseLong(e.getKv().getValue().toStringUtf8());
                                    recorder.recordValue(Math.min(TimeUnit.MINUTES.toNanos(1), Math.max(0, now - sent)));
                                }
                            }, errors, firstError));
                    outs.add(out);
                    for (int w = 0; w < watchersPerStream; w++) {
                        synchronized (out) {
                            out.onNext(io.etcd.jetcd.api.WatchRequest.newBuilder().setCreateRequest(
                                    io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k"))
                                            .setRangeEnd(com.google.protobuf.ByteString.copyFromUtf8("l"))).build());
                        }
                    }
                }
                if (!created.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("watchers not created within 60 s");
                }
                KVGrpc.KVStub kv = KVGrpc.newStub(d.channel(0));
                java.util.concurrent.ScheduledExecutorService writer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
                try {
                    writer.scheduleAtFixedRate(() -> kv.put(PutRequest.newBuilder()
                                    .setKey(keys.key(ThreadLocalRandom.current().nextInt(keys.size())))
                                    .setValue(com.google.protobuf.ByteString.copyFromUtf8(Long.toString(System.nanoTime()))).build(),
                            Observers.<io.etcd.jetcd.api.PutResponse>counting(r -> { }, errors, firstError)), 0, TimeUnit.SECONDS.toNanos(1) / putRate, TimeUnit.NANOSECONDS);
                    Thread.sleep(ctx.warmup().toMillis());
                    ctx.probe().opening();
                    recorder.getIntervalHistogram();
                    long errorsBefore = errors.sum();
                    long t0 = System.nanoTime();
                    Thread.sleep(ctx.duration().toMillis());
                    org.HdrHistogram.Histogram h = recorder.getIntervalHistogram();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long errs = errors.sum() - errorsBefore;
                    ctx.probe().closed();
                    ctx.profile().whileLoaded();
                    return Measurement.of(h, errs, firstError.get(), seconds, Map.of("putsPerSecond", putRate,
                            "watchers", clients()));
                } finally {
                    writer.shutdownNow();
                    for (StreamObserver<io.etcd.jetcd.api.WatchRequest> out : outs) {
                        synchronized (out) {
                            out.onCompleted();
                        }
                    }
                }
            }
        }
    }

    /** Puts of the shared value to random keys of the key space. */
    record Put(String name, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return "Put of the value to a random key; " + clients + " clients on " + connections + " connections";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                return d.runTimed(clients, ctx.inflight(), putOp(d, ctx.keys(), clients), ctx.warmup(), ctx.duration(),
                        ctx.probe(), ctx.profile()::whileLoaded);
            }
        }
    }

    /** Single-key Range of a random preloaded key, linearizable (ReadIndex) or serializable (local). */
    record Range(String name, boolean serializable, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return (serializable ? "serializable" : "linearizable") + " single-key Range of a random existing key; "
                    + clients + " clients on " + connections + " connections";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                preload(d, ctx.keys());
                KVGrpc.KVStub[] stubs = stubs(d, clients);
                Keys keys = ctx.keys();
                ClientOp op = (c, done) -> stubs[c].range(RangeRequest.newBuilder()
                        .setKey(keys.key(ThreadLocalRandom.current().nextInt(keys.size())))
                        .setSerializable(serializable).build(), Observers.completing(done));
                return d.runTimed(clients, ctx.inflight(), op, ctx.warmup(), ctx.duration(), ctx.probe(), ctx.profile()::whileLoaded);
            }
        }
    }

    /**
     * Compare-and-swap: each client owns one key and puts to it only if its mod revision is
     * still the one the client last saw; a failed compare reads the key back in the same txn.
     */
    record TxnPut(String name, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return "Txn: if mod_revision(own key) == last seen then Put else Range; " + clients + " clients on "
                    + connections + " connections";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            Keys keys = ctx.keys();
            if (keys.size() < clients) {
                throw new IllegalArgumentException("txn-put needs a key space of at least " + clients + " keys");
            }
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                preload(d, keys);
                KVGrpc.KVStub[] stubs = stubs(d, clients);
                long[] modRevision = new long[clients];
                KVGrpc.KVBlockingStub blocking = KVGrpc.newBlockingStub(d.channel(0));
                for (int c = 0; c < clients; c++) {
                    RangeResponse r = blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
                            .range(RangeRequest.newBuilder().setKey(keys.key(c)).build());
                    modRevision[c] = r.getKvs(0).getModRevision();
                }
                ClientOp op = (c, done) -> {
                    TxnRequest req = TxnRequest.newBuilder()
                            .addCompare(Compare.newBuilder().setKey(keys.key(c)).setTarget(Compare.CompareTarget.MOD)
                                    .setResult(Compare.CompareResult.EQUAL).setModRevision(modRevision[c]))
                            .addSuccess(RequestOp.newBuilder().setRequestPut(
                                    PutRequest.newBuilder().setKey(keys.key(c)).setValue(keys.value())))
                            .addFailure(RequestOp.newBuilder().setRequestRange(
                                    RangeRequest.newBuilder().setKey(keys.key(c))))
                            .build();
                    stubs[c].txn(req, Observers.completing(done, (TxnResponse r) -> {
                        if (r.getSucceeded()) {
                            modRevision[c] = r.getHeader().getRevision();
                        } else {
                            modRevision[c] = r.getResponses(0).getResponseRange().getKvs(0).getModRevision();
                        }
                    }));
                };
                return d.runTimed(clients, 1, op, ctx.warmup(), ctx.duration(), ctx.probe(), ctx.profile()::whileLoaded);
            }
        }
    }

    /** {@code readPercent}% linearizable single-key Ranges, the rest Puts, over the preloaded key space. */
    record Mixed(String name, int readPercent, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return readPercent + "% linearizable Range / " + (100 - readPercent) + "% Put on random keys; " + clients
                    + " clients on " + connections + " connections";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                preload(d, ctx.keys());
                KVGrpc.KVStub[] stubs = stubs(d, clients);
                Keys keys = ctx.keys();
                ClientOp op = (c, done) -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    var key = keys.key(rnd.nextInt(keys.size()));
                    if (rnd.nextInt(100) < readPercent) {
                        stubs[c].range(RangeRequest.newBuilder().setKey(key).build(), Observers.completing(done));
                    } else {
                        stubs[c].put(PutRequest.newBuilder().setKey(key).setValue(keys.value()).build(),
                                Observers.completing(done));
                    }
                };
                return d.runTimed(clients, ctx.inflight(), op, ctx.warmup(), ctx.duration(), ctx.probe(), ctx.profile()::whileLoaded);
            }
        }
    }

    /**
     * Writes {@code revisions} puts over the first {@code keys} keys (so all but the last
     * revision of each key is garbage), then times one physical Compact at the current revision:
     * the latency figures of this cell are that single call; throughput is revisions compacted
     * per second. The write phase's rate is kept in {@code extra}.
     */
    record Compaction(String name, int revisions, int keys, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return "write " + revisions + " revisions over " + keys + " keys (" + clients + " clients), then time one "
                    + "physical Compact at the current revision";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            Keys all = new Keys(keys, ctx.keys().value().size());
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                KVGrpc.KVStub[] stubs = stubs(d, clients);
                ClientOp put = (c, done) -> stubs[c].put(PutRequest.newBuilder()
                        .setKey(all.key(ThreadLocalRandom.current().nextInt(keys))).setValue(all.value()).build(),
                        Observers.completing(done));
                Measurement load = d.runCount(clients, ctx.inflight(), put, revisions);
                requireNoErrors("compaction write phase", load);
                KVGrpc.KVBlockingStub blocking = KVGrpc.newBlockingStub(d.channel(0));
                long revision = blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(all.key(0)).build()).getHeader().getRevision();
                long[] took = new long[1];
                // The measured window of this workload is the one Compact call.
                Runnable compact = () -> {
                    ctx.probe().opening();
                    long t0 = System.nanoTime();
                    try {
                        blocking.withDeadlineAfter(10, TimeUnit.MINUTES)
                                .compact(CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build());
                    } finally {
                        took[0] = System.nanoTime() - t0;
                        ctx.probe().closed();
                    }
                };
                ctx.profile().around(compact);
                double seconds = took[0] / 1e9;
                org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
                h.recordValue(took[0]);
                Map<String, Object> extra = new HashMap<>();
                extra.put("revisionsWritten", load.ops());
                extra.put("compactRevision", revision);
                extra.put("writePhaseOpsPerSec", load.throughput());
                extra.put("writePhaseP99Ms", load.p99Ms());
                extra.put("compactMs", took[0] / 1e6);
                Measurement single = Measurement.of(h, 0, null, seconds, extra);
                return new Measurement(single.ops(), 0, null, seconds, load.ops() / seconds, single.p50Ms(),
                        single.p90Ms(), single.p99Ms(), single.p999Ms(), single.maxMs(), single.meanMs(), single.extra());
            }
        }
    }

    /**
     * Lease keep-alive round trips: each client holds one lease (TTL 300 s, granted before the
     * window) and one LeaseKeepAlive stream, and sends the next keep-alive when the previous
     * one is answered. A stream that breaks is reopened by the client's next request.
     */
    record LeaseKeepAlive(String name, int clients, int connections) implements Workload {
        @Override
        public String describe() {
            return "LeaseKeepAlive round trip on a per-client stream, one lease per client; " + clients
                    + " clients on " + connections + " connections";
        }

        @Override
        public Measurement run(WorkloadContext ctx) throws InterruptedException {
            try (LoadDriver d = new LoadDriver(ctx.targets(), connections)) {
                LeaseGrpc.LeaseBlockingStub grant = LeaseGrpc.newBlockingStub(d.channel(0));
                long[] ids = new long[clients];
                for (int c = 0; c < clients; c++) {
                    ids[c] = grant.withDeadlineAfter(10, TimeUnit.SECONDS)
                            .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(300).build()).getID();
                }
                AtomicReferenceArray<StreamObserver<LeaseKeepAliveRequest>> streams = new AtomicReferenceArray<>(clients);
                AtomicReferenceArray<Completion> pending = new AtomicReferenceArray<>(clients);
                ClientOp op = (c, done) -> {
                    StreamObserver<LeaseKeepAliveRequest> stream = streams.get(c);
                    if (stream == null) {
                        stream = LeaseGrpc.newStub(d.channel(c)).leaseKeepAlive(keepAliveAnswers(c, streams, pending));
                        streams.set(c, stream);
                    }
                    pending.set(c, done);
                    stream.onNext(LeaseKeepAliveRequest.newBuilder().setID(ids[c]).build());
                };
                Measurement m = d.runTimed(clients, 1, op, ctx.warmup(), ctx.duration(), ctx.probe(), ctx.profile()::whileLoaded);
                for (int c = 0; c < clients; c++) {
                    StreamObserver<LeaseKeepAliveRequest> s = streams.getAndSet(c, null);
                    if (s != null) {
                        s.onCompleted();
                    }
                }
                return m;
            }
        }

        private static StreamObserver<LeaseKeepAliveResponse> keepAliveAnswers(
                int c, AtomicReferenceArray<StreamObserver<LeaseKeepAliveRequest>> streams,
                AtomicReferenceArray<Completion> pending) {
            return new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    Completion p = pending.getAndSet(c, null);
                    if (p == null) {
                        return;
                    }
                    if (r.getTTL() <= 0) {
                        p.failed(new IllegalStateException("lease " + r.getID() + " not found or expired"));
                    } else {
                        p.succeeded();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    streams.set(c, null);
                    Completion p = pending.getAndSet(c, null);
                    if (p != null) {
                        p.failed(t);
                    }
                }

                @Override
                public void onCompleted() {
                    onError(new IllegalStateException("keep-alive stream closed by the server"));
                }
            };
        }
    }

    private static KVGrpc.KVStub[] stubs(LoadDriver d, int clients) {
        KVGrpc.KVStub[] stubs = new KVGrpc.KVStub[clients];
        for (int c = 0; c < clients; c++) {
            stubs[c] = KVGrpc.newStub(d.channel(c));
        }
        return stubs;
    }

    private static ClientOp putOp(LoadDriver d, Keys keys, int clients) {
        KVGrpc.KVStub[] stubs = stubs(d, clients);
        return (c, done) -> stubs[c].put(PutRequest.newBuilder()
                .setKey(keys.key(ThreadLocalRandom.current().nextInt(keys.size()))).setValue(keys.value()).build(),
                Observers.completing(done));
    }

    /** Writes every key of the key space once, 10 clients per connection of the driver. */
    private static void preload(LoadDriver d, Keys keys) throws InterruptedException {
        int clients = Math.min(keys.size(), 10 * d.connections());
        KVGrpc.KVStub[] stubs = stubs(d, clients);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        ClientOp op = (c, done) -> stubs[c].put(PutRequest.newBuilder()
                .setKey(keys.key(next.getAndIncrement() % keys.size())).setValue(keys.value()).build(),
                Observers.completing(done));
        requireNoErrors("preload", d.runCount(clients, 1, op, keys.size()));
    }

    private static void requireNoErrors(String phase, Measurement m) {
        if (m.errors() > 0) {
            throw new IllegalStateException(phase + ": " + m.errors() + " requests failed, first: " + m.firstError());
        }
    }

}
