package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Crash consistency of one member: heavy concurrent puts of unique keys, kill -9 at a random
 * moment, restart, and check that every acknowledged put is there, each key at version 1, and the
 * revision counts exactly the keys present (nothing applied twice, nothing half applied). Repeated
 * many times on the same data dir.
 */
public final class CrashConsistency {

    public record Report(String storage, String codec, int kills, long attempted, long acknowledged, long lost,
                         long present, long revision, List<String> problems) {
        public boolean passed() {
            return lost == 0 && problems.isEmpty();
        }
    }

    private CrashConsistency() {
    }

    public static Report run(String storage, String codec, int kills, Path dir, long seed) {
        Random random = new Random(seed);
        ServerProcess server = ServerProcess.single(dir, ServerProcess.DEFAULT_JVM, "--storage", storage, "--codec", codec);
        int grpc = server.grpcPort();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> problems = new ArrayList<>();
        long attempted = 0;
        long lost = 0;
        long present = 0;
        long revision = 0;
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
        try (server) {
            for (int round = 0; round <= kills; round++) {
                server.start();
                awaitServing(channel);
                // check what the previous rounds left
                RangeResponse all = KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("crash/"))
                                .setRangeEnd(ByteString.copyFromUtf8("crash0")).build());
                Set<String> keys = new HashSet<>();
                all.getKvsList().forEach(kv -> {
                    keys.add(kv.getKey().toStringUtf8());
                    if (kv.getVersion() != 1 && problems.size() < 20) {
                        problems.add("applied twice: " + kv.getKey().toStringUtf8() + " version " + kv.getVersion());
                    }
                });
                lost = acknowledged.stream().filter(k -> !keys.contains(k)).count();
                if (lost > 0) {
                    problems.add("after kill " + round + ": " + lost + " acknowledged puts missing, e.g. "
                            + acknowledged.stream().filter(k -> !keys.contains(k)).limit(5).toList());
                }
                present = keys.size();
                revision = all.getHeader().getRevision();
                if (revision != 1 + present) {
                    problems.add("after kill " + round + ": revision " + revision + " but " + present + " keys written once each");
                }
                if (!problems.isEmpty() || round == kills) {
                    break;
                }
                attempted += load(channel, acknowledged, round, 300 + random.nextInt(2500));
                server.kill();
            }
        } finally {
            channel.shutdownNow();
        }
        return new Report(storage, codec, kills, attempted, acknowledged.size(), lost, present, revision, problems);
    }

    /** Puts unique keys with 64 in flight for {@code millis}, then returns at once (the kill follows while puts are in flight). */
    private static long load(ManagedChannel channel, Set<String> acknowledged, int round, long millis) {
        KVGrpc.KVStub kv = KVGrpc.newStub(channel);
        Semaphore inFlight = new Semaphore(64);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long n = 0;
        while (System.nanoTime() < end) {
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            String key = "crash/" + round + "/" + n++;
            kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8("v")).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(PutResponse value) {
                            acknowledged.add(key);
                        }

                        @Override
                        public void onError(Throwable t) {
                            inFlight.release();
                        }

                        @Override
                        public void onCompleted() {
                            inFlight.release();
                        }
                    });
        }
        return n;
    }

    /** Waits (up to 180 s) until the member behind {@code channel} answers a linearizable Range. */
    static void awaitServing(ManagedChannel channel) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try {
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("probe")).build());
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("server did not come up", e);
                }
                ProcessCluster.sleep(100);
            }
        }
    }
}
