package io.metastore.server.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.metrics.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limits of {@code ServerConfig.Limits} as a client meets them. */
class LimitsTest {
    @TempDir
    Path dir;
    MetaStoreServer server;
    ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    void start(String... flags) {
        String[] all = new String[flags.length + 2];
        all[0] = "--storage";
        all[1] = "memory";
        System.arraycopy(flags, 0, all, 2, flags.length);
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), all));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    static PutRequest put(String key, int valueBytes) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(new byte[valueBytes]))
                .build();
    }

    long count(String key) {
        return KVGrpc.newBlockingStub(channel).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setCountOnly(true).build()).getCount();
    }

    @Test
    void aPutOverTheRequestLimitIsRefusedAsEtcdRefusesItAndWritesNothing() {
        start("--max-request-bytes", "4096");
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        long revision = kv.put(put("small", 4000)).getHeader().getRevision();

        StatusRuntimeException tooLarge = assertThrows(StatusRuntimeException.class, () -> kv.put(put("big", 5000)));
        assertEquals(Status.Code.INVALID_ARGUMENT, tooLarge.getStatus().getCode());
        assertEquals("etcdserver: request is too large", tooLarge.getStatus().getDescription());

        // Over the limit plus etcd's 512 KiB of gRPC overhead, gRPC itself refuses the message.
        String[] exhausted = {"grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put",
            "grpc_code", "ResourceExhausted"};
        Scrape before = Scrape.of(server.metrics());
        StatusRuntimeException overGrpc = assertThrows(StatusRuntimeException.class,
                () -> kv.put(put("huge", 4096 + 512 * 1024 + 1)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, overGrpc.getStatus().getCode());
        assertTrue(overGrpc.getStatus().getDescription().contains("exceeds maximum size " + (4096 + 512 * 1024)),
                overGrpc.getStatus().getDescription());
        TestServers.await(() -> Scrape.of(server.metrics()).value("grpc_server_handled_total", exhausted)
                == before.value("grpc_server_handled_total", exhausted) + 1, 10, "the refusal to be counted");

        assertEquals(0, count("big"));
        assertEquals(0, count("huge"));
        assertEquals(revision, server.store().currentRevision());
    }

    @Test
    void overTheRateLimitCallsAreRefusedAtOnceAndUnderItTheyPass() {
        start("--max-requests-per-second", "3");
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        int passed = 0;
        StatusRuntimeException refused = null;
        for (int i = 0; i < 30 && refused == null; i++) {
            try {
                kv.put(put("r" + i, 1));
                passed++;
            } catch (StatusRuntimeException e) {
                refused = e;
            }
        }
        assertNotNull(refused, "30 back-to-back puts at 3 a second were all accepted");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        assertEquals("etcdserver: too many requests", refused.getStatus().getDescription());
        assertTrue(passed >= 1, "the first put of a full bucket passes");
        assertEquals(passed, server.store().currentRevision() - 1, "a refused put writes nothing");
        // The health service is never limited.
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        // A token comes back within a third of a second: a paced client gets through.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean through = false;
        while (!through && System.nanoTime() < deadline) {
            try {
                kv.put(put("paced", 1));
                through = true;
            } catch (StatusRuntimeException e) {
                assertEquals("etcdserver: too many requests", e.getStatus().getDescription());
                sleep(400);
            }
        }
        assertTrue(through, "a put paced under the limit was refused for 10 s");
    }

    @Test
    void aGrantBeyondTheLeaseLimitIsTooManyRequestsUntilOneIsRevoked() {
        start("--max-leases", "2");
        LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel);
        long first = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("etcdserver: too many requests", e.getStatus().getDescription());
        lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(first).build());
        lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build());
    }

    @Test
    void aWatchBeyondTheWatcherLimitIsCanceledWithTooManyRequests() throws Exception {
        start("--max-watchers", "1");
        LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        StreamObserver<WatchRequest> stream = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        WatchRequest create = WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("w"))).build();
        stream.onNext(create);
        WatchResponse first = responses.poll(10, TimeUnit.SECONDS);
        assertNotNull(first);
        assertTrue(first.getCreated() && !first.getCanceled());
        stream.onNext(create);
        WatchResponse second = responses.poll(10, TimeUnit.SECONDS);
        assertNotNull(second);
        assertTrue(second.getCanceled());
        assertEquals("etcdserver: too many requests", second.getCancelReason());
        stream.onCompleted();
    }

    @Test
    void callsBeyondTheStreamLimitOfAConnectionWaitForAFreeStream() throws Exception {
        start("--max-concurrent-streams", "1");
        LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        StreamObserver<WatchRequest> stream = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        stream.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("w"))).build());
        assertNotNull(responses.poll(10, TimeUnit.SECONDS));
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        StatusRuntimeException waited = assertThrows(StatusRuntimeException.class,
                () -> kv.withDeadlineAfter(300, TimeUnit.MILLISECONDS).put(put("s", 1)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, waited.getStatus().getCode());
        ((io.grpc.stub.ClientCallStreamObserver<WatchRequest>) stream).cancel("done", null);
        TestServers.await(() -> {
            try {
                kv.withDeadlineAfter(1, TimeUnit.SECONDS).put(put("s", 1));
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        }, 10, "a put once the watch stream closed");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
