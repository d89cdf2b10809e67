package io.metastore.server.grpc;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd's Lease service through jetcd and the raw stubs, on both expiry strategies. */
class LeaseServiceTest {
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

    void start(String expiry, String storage) {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--lease-expiry", expiry,
                "--storage", storage));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static void await(BooleanSupplier c, long seconds, String what) {
        TestServers.await(c, seconds, what);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scan", "queue"})
    void anExpiredLeaseDeletesItsKeysAtOneRevision(String expiry) throws Exception {
        start(expiry, "memory");
        try (Client client = TestServers.client(server.grpcPort())) {
            Lease lease = client.getLeaseClient();
            KV kv = client.getKVClient();
            var granted = lease.grant(1).get(10, TimeUnit.SECONDS);
            long id = granted.getID();
            assertEquals(2, granted.getTTL(), "etcd answers a grant below the minimum TTL with the minimum");
            assertEquals(2, lease.timeToLive(id, LeaseOption.DEFAULT).get().getGrantedTTL(), "etcd's minimum TTL");
            kv.put(bs("l/a"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
            kv.put(bs("l/b"), bs("2"), PutOption.builder().withLeaseId(id).build()).get();
            long before = kv.put(bs("other"), bs("x")).get().getHeader().getRevision();
            LinkedBlockingQueue<io.etcd.jetcd.watch.WatchResponse> seen = new LinkedBlockingQueue<>();
            Watch.Watcher watcher = client.getWatchClient().watch(bs("l/"),
                    WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(before + 1).build(), seen::add);
            List<ByteSequence> keys = lease.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()).get().getKeys();
            assertEquals(List.of(bs("l/a"), bs("l/b")), keys);
            await(() -> {
                try {
                    return kv.get(bs("l/"), io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
                            .get().getCount() == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, 15, "the lease to expire");
            assertEquals(before + 1, kv.get(bs("other")).get().getHeader().getRevision(), "both keys deleted at one revision");
            assertEquals(-1, lease.timeToLive(id, LeaseOption.DEFAULT).get().getTTL());
            assertEquals(1, kv.get(bs("other")).get().getCount());
            // The watcher hears both deletes together, in key order, at the revoke's revision.
            io.etcd.jetcd.watch.WatchResponse deleted = seen.poll(10, TimeUnit.SECONDS);
            assertTrue(deleted != null, "no delete events");
            assertEquals(List.of("DELETE l/a 1", "DELETE l/b 2"), deleted.getEvents().stream()
                    .map(e -> e.getEventType() + " " + e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)
                            + " " + e.getPrevKV().getValue().toString(StandardCharsets.UTF_8))
                    .toList());
            for (var e : deleted.getEvents()) {
                assertEquals(before + 1, e.getKeyValue().getModRevision());
            }
            watcher.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scan", "queue"})
    void keepAliveHoldsALeasePastItsTtl(String expiry) throws Exception {
        start(expiry, "memory");
        try (Client client = TestServers.client(server.grpcPort())) {
            Lease lease = client.getLeaseClient();
            KV kv = client.getKVClient();
            long id = lease.grant(2).get().getID();
            kv.put(bs("ka"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4500);
            while (System.nanoTime() < until) {
                assertEquals(2, lease.keepAliveOnce(id).get(10, TimeUnit.SECONDS).getTTL());
                Thread.sleep(400);
            }
            assertEquals(1, kv.get(bs("ka")).get().getCount(), "kept past twice its TTL");
            long ttl = lease.timeToLive(id, LeaseOption.DEFAULT).get().getTTL();
            assertTrue(ttl >= 1 && ttl <= 2, "remaining " + ttl);
        }
    }

    @org.junit.jupiter.api.Test
    void keepAliveStreamRenewsAndAnswersZeroForAnUnknownLease() throws Exception {
        start("queue", "memory");
        LeaseGrpc.LeaseStub stub = LeaseGrpc.newStub(channel);
        LinkedBlockingQueue<LeaseKeepAliveResponse> answers = new LinkedBlockingQueue<>();
        StreamObserver<LeaseKeepAliveRequest> requests = stub.leaseKeepAlive(new StreamObserver<>() {
            public void onNext(LeaseKeepAliveResponse r) {
                answers.add(r);
            }

            public void onError(Throwable t) {
            }

            public void onCompleted() {
            }
        });
        long id = LeaseGrpc.newBlockingStub(channel).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build()).getID();
        requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        LeaseKeepAliveResponse r = answers.poll(10, TimeUnit.SECONDS);
        assertEquals(id, r.getID());
        assertEquals(30, r.getTTL());
        requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(12345).build());
        LeaseKeepAliveResponse unknown = answers.poll(10, TimeUnit.SECONDS);
        assertEquals(12345, unknown.getID());
        assertEquals(0, unknown.getTTL());
        requests.onCompleted();
    }

    @org.junit.jupiter.api.Test
    void grantRevokeAndLookupAnswerAsEtcdDoes() throws Exception {
        start("queue", "memory");
        LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel);
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        var chosen = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).setID(777).build());
        assertEquals(777, chosen.getID());
        assertEquals(60, chosen.getTTL());
        StatusRuntimeException dup = assertThrows(StatusRuntimeException.class,
                () -> lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).setID(777).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, dup.getStatus().getCode());
        assertEquals("etcdserver: lease already exists", dup.getStatus().getDescription());
        StatusRuntimeException big = assertThrows(StatusRuntimeException.class,
                () -> lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, big.getStatus().getCode());
        assertEquals("etcdserver: too large lease TTL", big.getStatus().getDescription());
        long a = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        long b = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(0).build()).getID();
        assertNotEquals(a, b);
        assertTrue(a > 0 && b > 0);

        kv.put(PutRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).setLease(777).build());
        LeaseTimeToLiveResponse ttl = lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(777).setKeys(true).build());
        assertEquals(60, ttl.getGrantedTTL());
        assertTrue(ttl.getTTL() >= 59, "remaining " + ttl.getTTL());
        assertEquals(List.of(com.google.protobuf.ByteString.copyFromUtf8("k")), ttl.getKeysList());
        assertEquals(-1, lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(4660).build()).getTTL());

        LeaseService.LeasesResponse list = ClientCalls.blockingUnaryCall(channel, LeaseService.LEASE_LEASES,
                CallOptions.DEFAULT, new LeaseService.LeasesRequest());
        assertEquals(List.of(777L, a, b).stream().sorted().toList(), list.ids());
        assertNotEquals(0, list.header().getClusterId());

        long rev = lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(777).build()).getHeader().getRevision();
        assertEquals(rev, kv.range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build()).getHeader().getRevision());
        assertEquals(0, kv.range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build()).getCount());
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
                () -> lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(777).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
        assertEquals("etcdserver: requested lease not found", gone.getStatus().getDescription());
        assertFalse(ClientCalls.blockingUnaryCall(channel, LeaseService.LEASE_LEASES, CallOptions.DEFAULT,
                new LeaseService.LeasesRequest()).ids().contains(777L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "memory"})
    void leasesAndTheirKeysSurviveARestart(String storage) throws Exception {
        start("queue", storage);
        long id;
        long shortId;
        try (Client client = TestServers.client(server.grpcPort())) {
            id = client.getLeaseClient().grant(30).get().getID();
            client.getKVClient().put(bs("r"), bs("1"), PutOption.builder().withLeaseId(id).build()).get();
            shortId = client.getLeaseClient().grant(2).get().getID();
            client.getKVClient().put(bs("s"), bs("1"), PutOption.builder().withLeaseId(shortId).build()).get();
        }
        var config = server.config();
        channel.shutdownNow();
        server.close();
        server = TestServers.startAndAwaitLeader(config);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try (Client client = TestServers.client(server.grpcPort())) {
            var ttl = client.getLeaseClient().timeToLive(id, LeaseOption.builder().withAttachedKeys().build()).get();
            assertEquals(30, ttl.getGrantedTTL());
            assertEquals(List.of(bs("r")), ttl.getKeys());
            // The restarted leader gives outstanding leases deadlines again: the short one expires.
            KV kv = client.getKVClient();
            await(() -> {
                try {
                    return kv.get(bs("s")).get().getCount() == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, 15, "the short lease to expire after the restart");
            assertEquals(-1, client.getLeaseClient().timeToLive(shortId, LeaseOption.DEFAULT).get().getTTL());
            assertEquals(1, kv.get(bs("r")).get().getCount());
            client.getLeaseClient().revoke(id).get();
            assertEquals(0, client.getKVClient().get(bs("r")).get().getCount());
        }
    }
}
