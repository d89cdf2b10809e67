package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leases through the faults. One lease is kept alive the whole time by a client that renews it
 * every second through whichever member answers; its key must still be there at the end: faults
 * and leader changes must not expire a lease that was renewed (a new leader gives every lease a
 * fresh TTL). Meanwhile short leases are granted, each with a key, and never renewed; at the end
 * every one of those keys must be gone from every member: expiry, decided by whichever member
 * leads, must not be lost in a leader change either.
 */
final class LeaseProbe implements AutoCloseable {
    static final String KEPT_KEY = "lease/kept";
    static final String SHORT_PREFIX = "lease/short/";
    static final long KEPT_TTL = 20;
    private static final long SHORT_TTL = 2;

    private final ProcessCluster cluster;
    private final Random random;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean granting = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile long keptLease;
    private volatile int shortGranted;
    private volatile long longestRenewalGapMillis;

    LeaseProbe(ProcessCluster cluster, long seed) {
        this.cluster = cluster;
        this.random = new Random(seed);
    }

    /** Grants the kept lease and puts its key (before the faults), then starts renewing and granting. */
    void start() {
        LeaseGrantResponse g = LeaseGrpc.newBlockingStub(cluster.channel(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(KEPT_TTL).build());
        keptLease = g.getID();
        KVGrpc.newBlockingStub(cluster.channel(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(KEPT_KEY))
                        .setValue(ByteString.copyFromUtf8("kept")).setLease(keptLease).build());
        thread("lease-keeper", this::keep);
        thread("lease-granter", this::grantShort);
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private int member() {
        synchronized (random) {
            return random.nextInt(cluster.size());
        }
    }

    /** Renews the kept lease once a second through a random member, a new one after each failure. */
    private void keep() {
        long lastRenewal = System.nanoTime();
        int member = member();
        while (running.get()) {
            CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
            StreamObserver<LeaseKeepAliveRequest> out = LeaseGrpc.newStub(cluster.channel(member))
                    .withDeadlineAfter(2, TimeUnit.SECONDS).leaseKeepAlive(new StreamObserver<>() {
                        @Override
                        public void onNext(LeaseKeepAliveResponse r) {
                            answer.complete(r);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            answer.completeExceptionally(new IllegalStateException("stream ended"));
                        }
                    });
            try {
                out.onNext(LeaseKeepAliveRequest.newBuilder().setID(keptLease).build());
                LeaseKeepAliveResponse r = answer.get(2, TimeUnit.SECONDS);
                out.onCompleted();
                if (r.getTTL() > 0) {
                    long now = System.nanoTime();
                    longestRenewalGapMillis = Math.max(longestRenewalGapMillis, TimeUnit.NANOSECONDS.toMillis(now - lastRenewal));
                    lastRenewal = now;
                }
                ProcessCluster.sleep(1000);
            } catch (Exception e) {
                try {
                    out.onError(e);
                } catch (RuntimeException ignored) {
                    // already closed
                }
                member = member();
                ProcessCluster.sleep(100);
            }
        }
    }

    /** Every half second: a lease of 2 s and a key on it, never renewed. */
    private void grantShort() {
        int n = 0;
        while (granting.get()) {
            int member = member();
            try {
                LeaseGrantResponse g = LeaseGrpc.newBlockingStub(cluster.channel(member)).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(SHORT_TTL).build());
                shortGranted++;
                KVGrpc.newBlockingStub(cluster.channel(member)).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(SHORT_PREFIX + n++))
                                .setValue(ByteString.copyFromUtf8("short")).setLease(g.getID()).build());
            } catch (RuntimeException e) {
                // a fault: the next one goes to another member
            }
            ProcessCluster.sleep(500);
        }
    }

    /** Stops granting short leases; the kept one is still renewed until {@link #close}. */
    void stopGranting() {
        granting.set(false);
    }

    /** Stops renewing and granting. */
    @Override
    public void close() {
        granting.set(false);
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    int shortGranted() {
        return shortGranted;
    }

    long longestRenewalGapMillis() {
        return longestRenewalGapMillis;
    }

    /**
     * After the faults, with every member up: the kept key is on every member, and every short
     * lease's key is gone from every member within {@code timeoutMillis}.
     */
    void check(long timeoutMillis, List<String> problems) {
        for (int i = 0; i < cluster.size(); i++) {
            RangeResponse kept = cluster.localRead(i, KEPT_KEY, 0);
            if (kept.getKvsCount() != 1 || kept.getKvs(0).getLease() != keptLease) {
                problems.add("member " + (i + 1) + " lost the renewed lease's key " + KEPT_KEY + " (longest gap between renewals "
                        + longestRenewalGapMillis + " ms, TTL " + KEPT_TTL + " s)");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ByteString from = ByteString.copyFromUtf8(SHORT_PREFIX);
        for (int i = 0; i < cluster.size(); i++) {
            long left;
            while (true) {
                left = KVGrpc.newBlockingStub(cluster.channel(i)).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(from).setRangeEnd(ProcessCluster.prefixEnd(from))
                                .setSerializable(true).setCountOnly(true).build()).getCount();
                if (left == 0 || System.nanoTime() > deadline) {
                    break;
                }
                ProcessCluster.sleep(200);
            }
            if (left != 0) {
                problems.add("member " + (i + 1) + " still holds " + left + " keys of expired " + SHORT_TTL
                        + " s leases " + timeoutMillis + " ms after the faults");
            }
        }
    }
}
