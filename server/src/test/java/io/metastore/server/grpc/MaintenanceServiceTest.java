package io.metastore.server.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd's Maintenance and Cluster services on one member, and restoring a new member from a snapshot. */
class MaintenanceServiceTest {
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

    void start(Path data) {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(data));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
    }

    void put(String k, String v) {
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k))
                .setValue(ByteString.copyFromUtf8(v)).build());
    }

    @Test
    void statusReportsThisMemberAsLeaderWithItsIndexes() {
        start(dir.resolve("m1"));
        put("a", "1");
        StatusResponse s = MaintenanceGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance());
        assertEquals("3.4.0", s.getVersion());
        assertEquals(s.getHeader().getMemberId(), s.getLeader());
        assertTrue(s.getDbSize() > 0);
        assertTrue(s.getRaftTerm() >= 1);
        assertTrue(s.getRaftIndex() >= 2);
        long applied = s.getUnknownFields().getField(7).getVarintList().get(0);
        assertEquals(server.store().appliedIndex(), applied);
        assertEquals(0L, s.getUnknownFields().getField(10).getVarintList().get(0), "not a learner");
    }

    @Test
    void hashKvChangesWithWritesAndIsStableWithout() {
        start(dir.resolve("m1"));
        MaintenanceGrpc.MaintenanceBlockingStub m = MaintenanceGrpc.newBlockingStub(channel);
        put("a", "1");
        int h1 = m.hashKV(HashKVRequest.getDefaultInstance()).getHash();
        assertEquals(h1, m.hashKV(HashKVRequest.getDefaultInstance()).getHash());
        long rev = server.store().currentRevision();
        put("a", "2");
        assertNotEquals(h1, m.hashKV(HashKVRequest.getDefaultInstance()).getHash());
        assertEquals(h1, m.hashKV(HashKVRequest.newBuilder().setRevision(rev).build()).getHash(), "hash at a past revision");
        StatusRuntimeException future = assertThrows(StatusRuntimeException.class,
                () -> m.hashKV(HashKVRequest.newBuilder().setRevision(rev + 100).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, future.getStatus().getCode());
        m.hash(HashRequest.getDefaultInstance());
        // etcd 3.4.23 answers Defragment with an empty message: no header (POST /v3/maintenance/defragment gives {})
        assertFalse(m.defragment(DefragmentRequest.getDefaultInstance()).hasHeader(), "etcd 3.4 sends no header");
        assertEquals(m.hashKV(HashKVRequest.newBuilder().setRevision(rev).build()).getHash(), h1, "defragment keeps data");
    }

    @Test
    void aSavedSnapshotCarriesEtcdsChecksumAndBootsANewMember() throws Exception {
        start(dir.resolve("m1"));
        for (int i = 0; i < 100; i++) {
            put("s/" + i, "v" + i);
        }
        long revision = server.store().currentRevision();
        int hash = MaintenanceGrpc.newBlockingStub(channel).hashKV(HashKVRequest.getDefaultInstance()).getHash();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Iterator<SnapshotResponse> stream = MaintenanceGrpc.newBlockingStub(channel).snapshot(SnapshotRequest.getDefaultInstance());
        long announced = -1;
        while (stream.hasNext()) {
            SnapshotResponse r = stream.next();
            if (announced < 0) {
                assertTrue(r.hasHeader());
                announced = r.getRemainingBytes() + r.getBlob().size();
            }
            r.getBlob().writeTo(file);
        }
        byte[] bytes = file.toByteArray();
        assertEquals(announced, bytes.length);
        assertEquals(32, bytes.length % 512, "whole pages plus a SHA-256, as etcdctl expects");
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes, bytes.length - 32)),
                Arrays.copyOfRange(bytes, bytes.length - 32, bytes.length));
        channel.shutdownNow();
        server.close();
        server = null;

        Path snap = dir.resolve("saved.snap");
        Files.write(snap, bytes);
        Path restored = dir.resolve("restored");
        io.metastore.server.SnapshotRestoreAccess.restore(snap, restored);
        start(restored);
        assertEquals(revision, server.store().currentRevision());
        assertEquals(100, KVGrpc.newBlockingStub(channel).range(RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("s/")).setRangeEnd(ByteString.copyFromUtf8("s0")).build()).getCount());
        assertEquals(hash, MaintenanceGrpc.newBlockingStub(channel).hashKV(HashKVRequest.getDefaultInstance()).getHash());
        put("after", "restore");
        assertEquals(revision + 1, server.store().currentRevision());

        bytes[10] ^= 1;
        Files.write(snap, bytes);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> io.metastore.server.SnapshotRestoreAccess.restore(snap, dir.resolve("other")));
        assertTrue(bad.getMessage().contains("checksum mismatch"), bad.getMessage());
    }

    /** etcd 3.4.23 answers a MoveLeader to the leader itself with success, and one to an unknown member with "bad leader transferee". */
    @Test
    void memberListShowsThisMemberAndMoveLeaderToItselfChangesNothing() {
        start(dir.resolve("m1"));
        var list = ClusterGrpc.newBlockingStub(channel).memberList(MemberListRequest.getDefaultInstance());
        assertEquals(1, list.getMembersCount());
        var me = list.getMembers(0);
        assertEquals(list.getHeader().getMemberId(), me.getID());
        assertEquals("member-1", me.getName());
        assertEquals("http://127.0.0.1:" + server.grpcPort(), me.getClientURLs(0));
        assertEquals("http://" + server.config().raftAddress(), me.getPeerURLs(0));
        long term = MaintenanceGrpc.newBlockingStub(channel).status(io.etcd.jetcd.api.StatusRequest.getDefaultInstance()).getRaftTerm();
        MaintenanceGrpc.newBlockingStub(channel).moveLeader(MoveLeaderRequest.newBuilder().setTargetID(me.getID()).build());
        var after = MaintenanceGrpc.newBlockingStub(channel).status(io.etcd.jetcd.api.StatusRequest.getDefaultInstance());
        assertEquals(me.getID(), after.getLeader());
        assertEquals(term, after.getRaftTerm(), "no election");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> MaintenanceGrpc.newBlockingStub(channel)
                .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(me.getID() + 1).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("etcdserver: bad leader transferee", e.getStatus().getDescription());
    }

    @Test
    void overTheQuotaANospaceAlarmRefusesWritesUntilSpaceIsFreedAndItIsDisarmed() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("q"), "--storage", "memory",
                "--quota-backend-bytes", "200000"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        MaintenanceGrpc.MaintenanceBlockingStub m = MaintenanceGrpc.newBlockingStub(channel);
        ByteString big = ByteString.copyFrom(new byte[20_000]);
        StatusRuntimeException full = null;
        // Below half the quota the size is re-read at most every 100 ms (Alarms.size), so a fast
        // machine writes far past 200 kB before a put is refused: bound by count generously.
        for (int i = 0; i < 5_000 && full == null; i++) {
            try {
                kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("q/" + i)).setValue(big).build());
            } catch (StatusRuntimeException e) {
                full = e;
            }
        }
        assertTrue(full != null, "the quota was reached");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        assertEquals("etcdserver: mvcc: database space exceeded", full.getStatus().getDescription());
        long member = m.status(StatusRequest.getDefaultInstance()).getHeader().getMemberId();
        io.metastore.server.TestServers.await(() -> m.alarm(io.etcd.jetcd.api.AlarmRequest.getDefaultInstance()).getAlarmsCount() == 1,
                "the NOSPACE alarm");
        var alarm = m.alarm(io.etcd.jetcd.api.AlarmRequest.getDefaultInstance()).getAlarms(0);
        assertEquals(member, alarm.getMemberID());
        assertEquals(io.etcd.jetcd.api.AlarmType.NOSPACE, alarm.getAlarm());
        long rev = server.store().currentRevision();
        assertThrows(StatusRuntimeException.class, () -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("small"))
                .setValue(ByteString.copyFromUtf8("x")).build()));
        assertEquals(rev, server.store().currentRevision(), "a refused put changes nothing");

        var deleted = kv.deleteRange(io.etcd.jetcd.api.DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("q/"))
                .setRangeEnd(ByteString.copyFromUtf8("q0")).build());
        kv.compact(io.etcd.jetcd.api.CompactionRequest.newBuilder().setRevision(deleted.getHeader().getRevision())
                .setPhysical(true).build());
        m.defragment(DefragmentRequest.getDefaultInstance());
        assertThrows(StatusRuntimeException.class, () -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("small"))
                .setValue(ByteString.copyFromUtf8("x")).build()), "the alarm stands until disarmed");
        var after = m.alarm(io.etcd.jetcd.api.AlarmRequest.newBuilder().setAction(io.etcd.jetcd.api.AlarmRequest.AlarmAction.DEACTIVATE)
                .setMemberID(member).setAlarm(io.etcd.jetcd.api.AlarmType.NOSPACE).build());
        assertEquals(0, after.getAlarmsCount());
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("small")).setValue(ByteString.copyFromUtf8("x")).build());
    }
}
