package io.metastore.server.maintenance;

import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.StatusResponse;
import io.metastore.engine.Bucket;
import io.metastore.engine.StorageEngine;
import io.metastore.mvcc.Event;
import io.metastore.mvcc.KeyValue;
import io.metastore.mvcc.MvccException;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.RangeQuery;
import io.metastore.server.error.EtcdError;
import io.metastore.server.kv.Headers;
import io.metastore.server.member.MemberIds;
import io.metastore.server.raft.RaftNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * etcd's Maintenance operations for one member: status, hashes for comparing replicas,
 * defragmentation, streaming snapshots and leadership transfer.
 */
public final class Maintenance {
    /** The etcd API version this server speaks, reported by Status. */
    public static final String VERSION = "3.4.0";

    private final MvccStore store;
    private final StorageEngine engine;
    private final RaftNode raft;
    private final Headers headers;
    private final io.metastore.server.alarm.Alarms alarms;
    private final io.metastore.server.auth.RaftAuth auth;
    private final MemberIds memberIds;

    public Maintenance(MvccStore store, StorageEngine engine, RaftNode raft, Headers headers,
                       io.metastore.server.alarm.Alarms alarms, io.metastore.server.auth.RaftAuth auth,
                       MemberIds memberIds) {
        this.memberIds = memberIds;
        this.store = store;
        this.engine = engine;
        this.raft = raft;
        this.headers = headers;
        this.alarms = alarms;
        this.auth = auth;
    }

    /** etcd's Alarm: GET answers from this member; ACTIVATE / DEACTIVATE are proposed (root only with auth on). */
    public CompletableFuture<io.etcd.jetcd.api.AlarmResponse> alarm(String caller, io.etcd.jetcd.api.AlarmRequest r) {
        io.metastore.command.AlarmChange.Type type = r.getAlarmValue() == 1
                ? io.metastore.command.AlarmChange.Type.NOSPACE : io.metastore.command.AlarmChange.Type.NONE;
        switch (r.getAction()) {
            case ACTIVATE -> {
                return auth.alarm(caller, new io.metastore.command.AlarmChange(
                        io.metastore.command.AlarmChange.Action.ACTIVATE, r.getMemberID(), type));
            }
            case DEACTIVATE -> {
                return auth.alarm(caller, new io.metastore.command.AlarmChange(
                        io.metastore.command.AlarmChange.Action.DEACTIVATE, r.getMemberID(), type));
            }
            default -> {
                io.etcd.jetcd.api.AlarmResponse.Builder b = io.etcd.jetcd.api.AlarmResponse.newBuilder()
                        .setHeader(headers.at(store.currentRevision()));
                for (io.metastore.server.alarm.Alarms.Raised a : alarms.raised()) {
                    if ((r.getMemberID() == 0 || a.memberId() == r.getMemberID())
                            && (type == io.metastore.command.AlarmChange.Type.NONE || a.type() == type)) {
                        b.addAlarms(a.toProto());
                    }
                }
                return CompletableFuture.completedFuture(b.build());
            }
        }
    }

    /**
     * This member's status. Fields etcd 3.4 added after the stub was generated go in as
     * unknown fields with etcd's numbers: raftAppliedIndex (7), dbSizeInUse (9), isLearner (10).
     */
    public StatusResponse status() {
        long size = engine.approximateSizeBytes();
        String leader = raft.leaderAddress();
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(7, UnknownFieldSet.Field.newBuilder().addVarint(store.appliedIndex()).build())
                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(size).build())
                .addField(10, UnknownFieldSet.Field.newBuilder().addVarint(raft.isLearner() ? 1 : 0).build())
                .build();
        return StatusResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision()))
                .setVersion(VERSION)
                .setDbSize(size)
                .setLeader(leader == null ? 0 : memberIds.idOf(leader))
                .setRaftIndex(raft.node().getLastCommittedIndex())
                .setRaftTerm(raft.term())
                .setUnknownFields(extra.toBuilder().addField(8, errors()).build())
                .build();
    }

    /** Status's {@code errors}: one line per raised alarm, as etcd reports them. */
    private UnknownFieldSet.Field errors() {
        UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
        for (io.metastore.server.alarm.Alarms.Raised a : alarms.raised()) {
            f.addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("memberID:" + Long.toUnsignedString(a.memberId())
                    + " alarm:" + a.type().name() + " "));
        }
        return f.build();
    }

    /**
     * etcd's HashKV: a CRC-32C over the MVCC history up to {@code revision} (0: current), the
     * same on every replica that applied the same log, whatever its engine or record encoding
     * and however far its background compaction got. It covers every live key at the
     * compaction revision, then every change after it, each in a fixed layout.
     */
    public HashKVResponse hashKV(long revision) {
        long rev = revision <= 0 ? store.currentRevision() : revision;
        if (rev > store.currentRevision()) {
            throw new MvccException.FutureRevision();
        }
        long compact = store.compactRevision();
        CRC32C crc = new CRC32C();
        if (compact > 0) {
            for (KeyValue kv : store.range(RangeQuery.of(new byte[] {0}, new byte[] {0}).atRevision(compact)).kvs()) {
                update(crc, 'K', kv);
            }
        }
        for (Event e : store.history(Math.max(compact + 1, 1), rev, new byte[] {0}, new byte[] {0}, 0)) {
            update(crc, e.type() == Event.Type.PUT ? 'P' : 'D', e.kv());
        }
        return HashKVResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision()))
                .setHash((int) crc.getValue())
                .setCompactRevision(compact)
                .build();
    }

    private static void update(CRC32C crc, char tag, KeyValue kv) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + kv.key().length + 4 + kv.value().length + 4 * 8);
        b.put((byte) tag).putInt(kv.key().length).put(kv.key()).putInt(kv.value().length).put(kv.value())
                .putLong(kv.createRevision()).putLong(kv.modRevision()).putLong(kv.version()).putLong(kv.lease());
        crc.update(b.array(), 0, b.position());
    }

    /**
     * etcd's Hash: a CRC-32C over every entry of every bucket of the engine, in order. Replicas
     * with the same record encoding and compaction progress agree.
     */
    public HashResponse hash() {
        CRC32C crc = new CRC32C();
        for (String name : new TreeSet<>(engine.buckets().stream().map(Bucket::name).toList())) {
            crc.update(name.getBytes(StandardCharsets.UTF_8));
            engine.scan(new Bucket(name), new byte[0], null, (k, v) -> {
                crc.update(k);
                crc.update(v);
                return true;
            });
        }
        return HashResponse.newBuilder().setHeader(headers.at(store.currentRevision())).setHash((int) crc.getValue()).build();
    }

    /** Compacts the engine's files (RocksDB: a full manual compaction). */
    /** Compacts the engine's files. As etcd 3.4 does, the answer is empty: it carries no header. */
    public DefragmentResponse defragment() {
        engine.defragment();
        return DefragmentResponse.getDefaultInstance();
    }

    /** Writes a consistent copy of the whole store, in the store's snapshot format. */
    public void snapshot(OutputStream out) throws IOException {
        store.snapshot(out);
    }

    public long currentRevision() {
        return store.currentRevision();
    }

    public Headers headers() {
        return headers;
    }

    /**
     * Transfers leadership to the member {@code targetId}; only the leader can. To the leader
     * itself it answers at once, as etcd 3.4.23 does: its MoveLeader waits while the transferee
     * does not lead, which it already does, and raft ignores a transfer to itself.
     */
    public CompletableFuture<MoveLeaderResponse> moveLeader(long targetId) {
        if (!raft.isLeader()) {
            throw EtcdError.NOT_LEADER.exception();
        }
        String target = memberIds.peerOf(targetId, raft.peers()).orElse(null);
        if (target == null) {
            throw EtcdError.BAD_LEADER_TRANSFEREE.exception();
        }
        if (target.equals(raft.leaderAddress())) {
            return CompletableFuture.completedFuture(MoveLeaderResponse.newBuilder()
                    .setHeader(headers.at(store.currentRevision())).build());
        }
        if (!raft.transferLeadershipTo(target)) {
            throw EtcdError.BAD_LEADER_TRANSFEREE.exception();
        }
        String wanted = target;
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!wanted.equals(raft.leaderAddress())) {
                if (System.nanoTime() > deadline) {
                    throw EtcdError.TIMEOUT.exception();
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw EtcdError.STOPPED.exception();
                }
            }
            return MoveLeaderResponse.newBuilder().setHeader(headers.at(store.currentRevision())).build();
        });
    }
}
