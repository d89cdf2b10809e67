package io.metastore.server.metrics;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics a running member exports move with the requests it serves. */
class MetricsTest {
    @TempDir
    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static KVGrpc.KVBlockingStub kv;

    @BeforeAll
    static void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        kv = KVGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    static final String[] PUT_OK = {"grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put",
        "grpc_code", "OK"};
    static final String[] PUT = {"grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put"};

    static void put(String key, String value) {
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build());
    }

    @Test
    void putsMoveTheMvccAndGrpcCountersByExactlyTheirNumber() {
        Scrape before = Scrape.of(server.metrics());
        for (int i = 0; i < 5; i++) {
            put("m/put" + i, "v");
        }
        // a call is counted as handled when the server's stream closes, possibly just after the client has its answer
        TestServers.await(() -> Scrape.of(server.metrics()).value("grpc_server_handled_total", PUT_OK)
                - before.value("grpc_server_handled_total", PUT_OK) >= 5, "the five puts to be counted as handled");
        Scrape after = Scrape.of(server.metrics());
        assertEquals(5, after.value("etcd_mvcc_put_total") - before.value("etcd_mvcc_put_total"));
        assertEquals(5, after.value("grpc_server_handled_total", PUT_OK) - before.value("grpc_server_handled_total", PUT_OK));
        assertEquals(5, after.value("grpc_server_started_total", PUT) - before.value("grpc_server_started_total", PUT));
        assertEquals(5, after.value("grpc_server_msg_received_total", PUT) - before.value("grpc_server_msg_received_total", PUT));
        assertEquals(5, after.value("grpc_server_msg_sent_total", PUT) - before.value("grpc_server_msg_sent_total", PUT));
        assertTrue(after.value("etcd_network_client_grpc_received_bytes_total")
                >= before.value("etcd_network_client_grpc_received_bytes_total") + 5 * "m/put0v".length());
        assertTrue(after.value("etcd_network_client_grpc_sent_bytes_total")
                > before.value("etcd_network_client_grpc_sent_bytes_total"));
        assertTrue(after.value("etcd_server_proposals_applied_total") >= before.value("etcd_server_proposals_applied_total") + 1);
        assertTrue(after.value("etcd_server_proposals_committed_total") >= after.value("etcd_server_proposals_applied_total"));
        assertTrue(after.value("metastore_proposal_batch_size_count") >= before.value("metastore_proposal_batch_size_count") + 1);
        assertTrue(after.value("metastore_codec_entry_bytes_count", "codec", "protobuf")
                > before.value("metastore_codec_entry_bytes_count", "codec", "protobuf"));
        assertTrue(after.value("etcd_disk_backend_commit_duration_seconds_count")
                >= before.value("etcd_disk_backend_commit_duration_seconds_count") + 1);
        assertTrue(after.value("etcd_disk_wal_fsync_duration_seconds_count")
                >= before.value("etcd_disk_wal_fsync_duration_seconds_count") + 1);
    }

    @Test
    void rangesDeletesTxnsAndRefusalsAreCountedByKind() {
        put("m/d", "v");
        Scrape before = Scrape.of(server.metrics());
        kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("m/d")).build());
        kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("m/d")).build());
        kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("m/t")).setValue(ByteString.copyFromUtf8("v"))))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("m/t"))))
                .build());
        assertThrows(StatusRuntimeException.class, () -> kv.put(PutRequest.newBuilder().build()));
        Scrape after = Scrape.of(server.metrics());
        assertEquals(2, after.value("etcd_mvcc_range_total") - before.value("etcd_mvcc_range_total"));
        assertEquals(1, after.value("etcd_mvcc_delete_total") - before.value("etcd_mvcc_delete_total"));
        assertEquals(1, after.value("etcd_mvcc_txn_total") - before.value("etcd_mvcc_txn_total"));
        assertEquals(1, after.value("etcd_mvcc_put_total") - before.value("etcd_mvcc_put_total"));
        String[] invalid = {"grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put",
            "grpc_code", "InvalidArgument"};
        // the server's stream tracer counts a call when its stream closes, which may be just after the
        // client has the status; wait for it, then check it was counted once
        TestServers.await(() -> Scrape.of(server.metrics()).value("grpc_server_handled_total", invalid)
                - before.value("grpc_server_handled_total", invalid) >= 1, "the refused put to be counted as handled");
        assertEquals(1, Scrape.of(server.metrics()).value("grpc_server_handled_total", invalid)
                - before.value("grpc_server_handled_total", invalid));
    }

    @Test
    void leaseGrantsAndRevokesAreCounted() {
        LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel);
        Scrape before = Scrape.of(server.metrics());
        long id = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
        lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
        Scrape after = Scrape.of(server.metrics());
        assertEquals(1, after.value("etcd_debugging_lease_granted_total") - before.value("etcd_debugging_lease_granted_total"));
        assertEquals(1, after.value("etcd_debugging_lease_revoked_total") - before.value("etcd_debugging_lease_revoked_total"));
    }

    @Test
    void aRunningSingleMemberHasALeaderAndIsIt() {
        Scrape s = Scrape.of(server.metrics());
        assertEquals(1, s.value("etcd_server_has_leader"));
        assertEquals(1, s.value("etcd_server_is_leader"));
        assertTrue(s.value("etcd_server_leader_changes_seen_total") >= 1);
        assertEquals(0, s.value("etcd_server_proposals_failed_total"));
    }

    @Test
    void typesMatchEtcds() {
        Scrape s = Scrape.of(server.metrics());
        for (String gauge : new String[] {"etcd_server_has_leader", "etcd_server_is_leader",
            "etcd_server_proposals_committed_total", "etcd_server_proposals_applied_total", "etcd_server_proposals_pending",
            "etcd_mvcc_db_total_size_in_bytes", "etcd_debugging_mvcc_keys_total", "etcd_debugging_mvcc_watcher_total",
            "etcd_debugging_mvcc_watch_stream_total", "metastore_proposal_queue_depth"}) {
            assertEquals("gauge", s.type(gauge), gauge);
        }
        for (String counter : new String[] {"etcd_server_leader_changes_seen_total", "etcd_server_proposals_failed_total",
            "etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_range_total", "etcd_mvcc_txn_total",
            "etcd_debugging_lease_granted_total", "etcd_debugging_lease_revoked_total",
            "etcd_debugging_server_lease_expired_total", "etcd_network_client_grpc_received_bytes_total",
            "etcd_network_client_grpc_sent_bytes_total", "grpc_server_started_total", "grpc_server_handled_total",
            "grpc_server_msg_received_total", "grpc_server_msg_sent_total"}) {
            assertEquals("counter", s.type(counter), counter);
        }
        for (String histogram : new String[] {"etcd_disk_wal_fsync_duration_seconds",
            "etcd_disk_backend_commit_duration_seconds", "metastore_proposal_batch_size", "metastore_codec_entry_bytes"}) {
            assertEquals("histogram", s.type(histogram), histogram);
        }
        assertEquals("counter", s.type("process_cpu_seconds_total"));
        assertEquals("gauge", s.type("jvm_memory_used_bytes"));
    }

    @Test
    void anExpiredLeaseIsCountedOnceItsRevokeIsApplied() {
        LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel);
        double before = Scrape.of(server.metrics()).value("etcd_debugging_server_lease_expired_total");
        lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build()); // raised to the minimum, 2 s
        TestServers.await(() -> Scrape.of(server.metrics()).value("etcd_debugging_server_lease_expired_total") >= before + 1,
                20, "the lease to expire");
    }

    @Test
    void watchersAndWatchStreamsAreGaugesThatFollowTheStreams() throws Exception {
        Scrape before = Scrape.of(server.metrics());
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
        for (String key : new String[] {"m/w1", "m/w2"}) {
            stream.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(key))).build());
            assertNotNull(responses.poll(10, TimeUnit.SECONDS));
        }
        Scrape during = Scrape.of(server.metrics());
        assertEquals(2, during.value("etcd_debugging_mvcc_watcher_total") - before.value("etcd_debugging_mvcc_watcher_total"));
        assertEquals(1, during.value("etcd_debugging_mvcc_watch_stream_total")
                - before.value("etcd_debugging_mvcc_watch_stream_total"));
        ((ClientCallStreamObserver<WatchRequest>) stream).cancel("done", null);
        TestServers.await(() -> Scrape.of(server.metrics()).value("etcd_debugging_mvcc_watch_stream_total")
                == before.value("etcd_debugging_mvcc_watch_stream_total"), 10, "the watch stream to close");
        assertEquals(before.value("etcd_debugging_mvcc_watcher_total"),
                Scrape.of(server.metrics()).value("etcd_debugging_mvcc_watcher_total"));
    }

    @Test
    void keysAreAGaugeOfTheCurrentRevision() {
        put("m/k1", "v");
        double before = Scrape.of(server.metrics()).value("etcd_debugging_mvcc_keys_total");
        put("m/k2", "v");
        put("m/k2", "again");
        assertEquals(before + 1, Scrape.of(server.metrics()).value("etcd_debugging_mvcc_keys_total"));
    }
}
