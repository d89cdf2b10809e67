package io.metastore.server.watch;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.command.Command;
import io.metastore.command.Put;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.StoreOptions;
import io.metastore.server.apply.Applied;
import io.metastore.server.apply.Applier;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.apply.LeaseLookup;
import io.metastore.server.grpc.GrpcServer;
import io.metastore.server.kv.Headers;
import io.metastore.server.raft.ClusterIdentity;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hub with chosen settings behind a real Watch gRPC endpoint, fed by applying commands
 * directly (no Raft): the calling thread plays the apply thread, so a test sees exactly how
 * long apply takes with watchers attached.
 */
final class HubHarness implements AutoCloseable {
    final MvccStore store = new MvccStore(new MemoryEngine(MemoryEngine.Locking.SHARDED), StoreOptions.defaults());
    final Applier applier = new Applier(store, new KvApplier(store, LeaseLookup.none()),
            new io.metastore.server.lease.Lessor(io.metastore.server.lease.ExpiryTracker.Kind.QUEUE, System::nanoTime),
            new io.metastore.server.auth.AuthStore(System::nanoTime, 300),
            new io.metastore.server.alarm.Alarms(-1, () -> 0),
            new io.metastore.server.member.MemberIds(peer -> 8, "127.0.0.1:2380"));
    final WatchHub hub;
    final GrpcServer grpc;
    final ManagedChannel channel;
    private long index;

    HubHarness(WatchHub.Settings settings) {
        hub = new WatchHub(store, settings);
        grpc = new GrpcServer("127.0.0.1", 0, List.of(new WatchService(hub,
                new Headers(new ClusterIdentity(7, 8), () -> 2L)))).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    }

    static WatchHub.Settings settings(int maxWatchers, int streamBuffer, long progressMillis, int catchUpEvents) {
        return new WatchHub.Settings(maxWatchers, streamBuffer, progressMillis, catchUpEvents,
                WatchHub.Settings.defaults().maxResponseBytes());
    }

    /** Applies one command as the state machine would, then hands its events to the hub. */
    synchronized List<Applied> apply(Command c) {
        List<Applied> applied = applier.apply(c, ++index);
        hub.onApplied(applied);
        return applied;
    }

    /** Applies without telling the hub, as a snapshot install changes the store without events. */
    synchronized void applySilently(Command c) {
        applier.apply(c, ++index);
    }

    long put(String key, String value) {
        apply(Put.of(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
        return store.currentRevision();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + RawWatch.WAIT_SECONDS * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + RawWatch.WAIT_SECONDS + " s: " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        hub.close();
        grpc.close();
        store.close();
    }
}
