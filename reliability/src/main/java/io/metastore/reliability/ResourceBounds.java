package io.metastore.reliability;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * One member with its heap capped, loaded with many keys, many leases and many watchers, each
 * phase checked for correct answers and followed by a measurement of the heap in use after a
 * full collection. The member must answer everything correctly and stay up: its memory is
 * bounded by what it holds, not by what passed through it.
 *
 * <p>Keys go in as txns of 128 puts (etcd's default op limit per txn) with a bounded number in
 * flight; the range checks are a count-only range, a keys-only walk in pages and one range that
 * returns every key with its value in a single response. Leases are granted with a long TTL and
 * every tenth gets a key. Watchers are spread over a number of streams, one key each; one txn
 * then writes every watched key, and each watcher must see its event.
 */
public final class ResourceBounds {
    private static final int TXN_OPS = 128;
    private static final int IN_FLIGHT = 16;
    private static final int PAGE = 10_000;
    private static final long TIMEOUT_S = 120;

    /**
     * @param keys        keys written, then ranged over
     * @param leases      leases granted and kept
     * @param watchers    watchers created
     * @param streams     watch streams the watchers are spread over
     * @param heapMb      the member's {@code -Xmx}
     * @param storage     its engine
     */
    public record Plan(int keys, int leases, int watchers, int streams, int heapMb, String storage) {
    }

    /** One phase: what it did, how long it took and the heap in use after it (bytes after a full GC, -1 unknown). */
    public record Phase(String name, String detail, long millis, long heapAfter) {
    }

    public record Report(Plan plan, List<Phase> phases, List<String> problems, boolean alive) {
        public boolean passed() {
            return alive && problems.isEmpty();
        }
    }

    private final Plan plan;
    private final ManagedChannel channel;
    private final ServerProcess server;
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private ResourceBounds(Plan plan, ManagedChannel channel, ServerProcess server) {
        this.plan = plan;
        this.channel = channel;
        this.server = server;
    }

    public static Report run(Plan plan, Path dir) {
        List<String> jvm = new ArrayList<>(ServerProcess.DEFAULT_JVM);
        jvm.replaceAll(o -> o.startsWith("-Xmx") ? "-Xmx" + plan.heapMb() + "m" : o);
        ServerProcess server = ServerProcess.single(dir, jvm, "--storage", plan.storage());
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
        try (server) {
            server.start();
            CrashConsistency.awaitServing(channel);
            ResourceBounds r = new ResourceBounds(plan, channel, server);
            r.phase("start", "an empty member", () -> "");
            r.phase("keys", plan.keys() + " keys written", r::writeKeys);
            r.phase("ranges", "count, keys-only pages of " + PAGE + ", one full range", r::rangeKeys);
            r.phase("leases", plan.leases() + " leases granted, every tenth with a key", r::grantLeases);
            r.phase("watchers", plan.watchers() + " watchers on " + plan.streams() + " streams, one event each", r::watch);
            return new Report(plan, List.copyOf(r.phases), List.copyOf(r.problems), server.isServing());
        } finally {
            channel.shutdownNow();
        }
    }

    private interface Body {
        String run() throws Exception;
    }

    private void phase(String name, String detail, Body body) {
        if (!server.isServing()) {
            problems.add(name + ": skipped, the member is gone (see its log)");
            return;
        }
        long began = System.nanoTime();
        String found;
        try {
            found = body.run();
        } catch (Exception | AssertionError e) {
            found = "";
            problems.add(name + ": " + e);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        phases.add(new Phase(name, found.isEmpty() ? detail : detail + "; " + found, millis, server.heapUsedAfterFullGc()));
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            problems.add(what);
        }
    }

    static ByteString key(int i) {
        return ByteString.copyFromUtf8(String.format("k/%08d", i));
    }

    private static ByteString value(int i) {
        return ByteString.copyFromUtf8(String.format("value-%025d", i)); // 32 bytes
    }

    /** Sends {@code count} requests made by {@code request}, at most {@link #IN_FLIGHT} at a time; fails on the first error. */
    private static void pipeline(int count, IntFunction<ListenableFuture<?>> request) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < count && failure.get() == null; i++) {
            if (!slots.tryAcquire(TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no answer within " + TIMEOUT_S + " s");
            }
            Futures.addCallback(request.apply(i), new FutureCallback<Object>() {
                @Override
                public void onSuccess(Object result) {
                    slots.release();
                }

                @Override
                public void onFailure(Throwable t) {
                    failure.compareAndSet(null, t);
                    slots.release();
                }
            }, MoreExecutors.directExecutor());
        }
        if (!slots.tryAcquire(IN_FLIGHT, TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no answer within " + TIMEOUT_S + " s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
    }

    private String writeKeys() throws Exception {
        KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel);
        int txns = (plan.keys() + TXN_OPS - 1) / TXN_OPS;
        pipeline(txns, t -> {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (int i = t * TXN_OPS; i < Math.min(plan.keys(), (t + 1) * TXN_OPS); i++) {
                txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key(i)).setValue(value(i))));
            }
            return kv.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).txn(txn.build());
        });
        return txns + " txns";
    }

    private String rangeKeys() {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
        ByteString from = ByteString.copyFromUtf8("k/");
        ByteString end = ByteString.copyFromUtf8("k0");
        RangeResponse count = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setCountOnly(true).build());
        check(count.getCount() == plan.keys(), "count-only range counted " + count.getCount() + " of " + plan.keys());

        int walked = 0;
        int pages = 0;
        ByteString next = from;
        while (true) {
            RangeResponse page = KVGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setKey(next).setRangeEnd(end).setKeysOnly(true).setLimit(PAGE).build());
            pages++;
            for (int i = 0; i < page.getKvsCount(); i++) {
                if (!page.getKvs(i).getKey().equals(key(walked + i))) {
                    check(false, "page " + pages + " holds " + page.getKvs(i).getKey().toStringUtf8() + " where "
                            + key(walked + i).toStringUtf8() + " belongs");
                    return "";
                }
            }
            walked += page.getKvsCount();
            if (!page.getMore()) {
                break;
            }
            next = page.getKvs(page.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[]{0}));
        }
        check(walked == plan.keys(), "the keys-only walk saw " + walked + " of " + plan.keys() + " keys");

        RangeResponse all = KVGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).build());
        check(all.getKvsCount() == plan.keys(), "the full range returned " + all.getKvsCount() + " of " + plan.keys());
        int last = all.getKvsCount() - 1;
        check(last < 0 || all.getKvs(last).getValue().equals(value(last)), "the full range's last value is wrong");
        return pages + " pages, full response " + all.getSerializedSize() / (1 << 20) + " MiB";
    }

    private String grantLeases() throws Exception {
        LeaseGrpc.LeaseFutureStub lease = LeaseGrpc.newFutureStub(channel);
        KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel);
        long base = 1_000_000;
        pipeline(plan.leases(), i -> {
            ListenableFuture<LeaseGrantResponse> granted = lease.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setID(base + i).setTTL(3600).build());
            if (i % 10 != 0) {
                return granted;
            }
            return Futures.transformAsync(granted, g -> kv.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("lease/" + i))
                            .setValue(ByteString.copyFromUtf8("v")).setLease(g.getID()).build()), MoreExecutors.directExecutor());
        });
        LeaseTimeToLiveResponse ttl = LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(base).setKeys(true).build());
        check(ttl.getTTL() > 0 && ttl.getKeysCount() == 1, "lease " + base + " answers TTL " + ttl.getTTL()
                + " with " + ttl.getKeysCount() + " keys");
        RangeResponse attached = KVGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("lease/"))
                        .setRangeEnd(ByteString.copyFromUtf8("lease0")).setCountOnly(true).build());
        long expected = (plan.leases() + 9) / 10;
        check(attached.getCount() == expected, attached.getCount() + " keys with leases, expected " + expected);
        return "";
    }

    private String watch() throws Exception {
        WatchGrpc.WatchStub stub = WatchGrpc.newStub(channel);
        int perStream = (plan.watchers() + plan.streams() - 1) / plan.streams();
        CountDownLatch created = new CountDownLatch(plan.watchers());
        CountDownLatch events = new CountDownLatch(plan.watchers());
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger total = new AtomicInteger();
        AtomicReference<Throwable> broken = new AtomicReference<>();
        List<StreamObserver<WatchRequest>> requests = new ArrayList<>();
        for (int s = 0; s < plan.streams(); s++) {
            StreamObserver<WatchRequest> out = stub.watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    if (r.getCreated()) {
                        created.countDown();
                    }
                    for (var e : r.getEventsList()) {
                        seen.add(e.getKv().getKey().toStringUtf8());
                        total.incrementAndGet();
                        events.countDown();
                    }
                    if (r.getCanceled()) {
                        broken.compareAndSet(null, new IllegalStateException("watch cancelled: " + r.getCancelReason()));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    broken.compareAndSet(null, t);
                }

                @Override
                public void onCompleted() {
                }
            });
            requests.add(out);
            for (int w = s * perStream; w < Math.min(plan.watchers(), (s + 1) * perStream); w++) {
                out.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("w/" + w))).build());
            }
        }
        try {
            if (!created.await(TIMEOUT_S, TimeUnit.SECONDS)) {
                check(false, (plan.watchers() - created.getCount()) + " of " + plan.watchers() + " watchers created");
                return "";
            }
            KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel);
            int txns = (plan.watchers() + TXN_OPS - 1) / TXN_OPS;
            pipeline(txns, t -> {
                TxnRequest.Builder txn = TxnRequest.newBuilder();
                for (int w = t * TXN_OPS; w < Math.min(plan.watchers(), (t + 1) * TXN_OPS); w++) {
                    txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("w/" + w)).setValue(ByteString.copyFromUtf8("x"))));
                }
                return kv.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).txn(txn.build());
            });
            boolean all = events.await(TIMEOUT_S, TimeUnit.SECONDS);
            check(all, (plan.watchers() - events.getCount()) + " of " + plan.watchers() + " watchers saw their event");
            // each watcher watches its own key, written once: exactly one event per key
            check(seen.size() == plan.watchers() && total.get() == plan.watchers(),
                    total.get() + " events on " + seen.size() + " keys for " + plan.watchers() + " watchers");
            check(broken.get() == null, "a watch stream failed: " + broken.get());
            return "";
        } finally {
            requests.forEach(StreamObserver::onCompleted);
        }
    }

    /** {@code java -cp <classpath> io.metastore.reliability.ResourceBounds KEYS LEASES WATCHERS STREAMS HEAP_MB STORAGE}. */
    public static void main(String[] args) throws java.io.IOException {
        Plan plan = new Plan(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
        Path work = java.nio.file.Files.createTempDirectory("bounds");
        try {
            Report r = run(plan, work);
            System.out.println(Summary.boundsSection(r));
            System.exit(r.passed() ? 0 : 1);
        } finally {
            ServerProcess.deleteRecursively(work);
        }
    }
}
