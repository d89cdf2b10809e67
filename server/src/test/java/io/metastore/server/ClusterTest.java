package io.metastore.server;

import com.alipay.sofa.jraft.Status;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-member cluster in this JVM: forwarding, catch-up after restarts and snapshots, leader loss,
 * membership changes and the member ids they assign and keep.
 */
class ClusterTest {
    @TempDir
    Path dir;
    final List<String> peers = new ArrayList<>();
    MetaStoreServer[] members = new MetaStoreServer[3];
    /** Prefix of the members' data dirs, for a test that starts a second cluster. */
    String generation = "";

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    ServerConfig config(int member, String... extra) {
        List<String> args = new ArrayList<>(List.of("--member-id", String.valueOf(member), "--cluster", String.join(",", peers),
                "--data-dir", dir.resolve(generation + "m" + member).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                "--storage", member == 3 ? "memory" : "rocksdb", "--raft-sync", "false",
                "--election-timeout-ms", "1500", "--snapshot-interval-secs", "0",
                // two members push their commit index after applying, one leaves it to heartbeats
                "--commit-push", member == 3 ? "false" : "true"));
        args.addAll(List.of(extra));
        return ((ConfigLoader.Run) ConfigLoader.load(args.toArray(String[]::new), Map.of())).config();
    }

    /** The value of an unlabelled counter or gauge in a member's /metrics text. */
    static double metric(MetaStoreServer m, String name) {
        for (String line : m.metrics().text().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not exported");
    }

    /** Puts through {@code kv} one at a time, each read back at once with a serializable get on the same member. */
    static void putAndReadEachBack(KV kv, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            kv.put(bs(prefix + i), bs("v" + i)).get(30, TimeUnit.SECONDS);
            var got = kv.get(bs(prefix + i), GetOption.builder().withSerializable(true).build()).get(30, TimeUnit.SECONDS);
            assertEquals(1, got.getKvs().size(), "read your write " + prefix + i + " on the member that answered it");
            assertEquals("v" + i, got.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
        }
    }

    @BeforeEach
    void start() {
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            members[i] = MetaStoreServer.start(config(i + 1));
        }
        await(() -> leader() != null, "a leader");
    }

    @AfterEach
    void stop() {
        for (MetaStoreServer m : members) {
            if (m != null) {
                m.close();
            }
        }
    }

    MetaStoreServer leader() {
        for (MetaStoreServer m : members) {
            if (m != null && m.raft().isLeader()) {
                return m;
            }
        }
        return null;
    }

    int indexOf(MetaStoreServer m) {
        for (int i = 0; i < 3; i++) {
            if (members[i] == m) {
                return i;
            }
        }
        throw new IllegalArgumentException();
    }

    int aFollower() {
        int leader = indexOf(leader());
        return (leader + 1) % 3;
    }

    static void snapshot(MetaStoreServer m) throws Exception {
        CompletableFuture<Status> snap = new CompletableFuture<>();
        m.raft().node().snapshot(snap::complete);
        assertTrue(snap.get(30, TimeUnit.SECONDS).isOk(), "snapshot");
    }

    static void await(BooleanSupplier condition, String what) {
        TestServers.await(condition, what);
    }

    static List<Long> putAll(KV kv, String prefix, int n) throws Exception {
        List<CompletableFuture<io.etcd.jetcd.kv.PutResponse>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(kv.put(bs(prefix + i), bs("v" + i)));
        }
        List<Long> revs = new ArrayList<>();
        for (var f : fs) {
            revs.add(f.get(30, TimeUnit.SECONDS).getHeader().getRevision());
        }
        return revs;
    }

    static long count(KV kv, String prefix) throws Exception {
        return kv.get(bs(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get(30, TimeUnit.SECONDS).getCount();
    }

    @Test
    void writesToAFollowerAreForwardedAndEveryMemberReadsThem() throws Exception {
        int f = aFollower();
        try (Client client = TestServers.client(members[f].grpcPort())) {
            KV kv = client.getKVClient();
            io.etcd.jetcd.kv.PutResponse put = kv.put(bs("fw/a"), bs("1")).get(30, TimeUnit.SECONDS);
            assertNotEquals(0, put.getHeader().getRevision());
            putAll(kv, "fw/", 50);
            assertTrue(kv.txn().Then(io.etcd.jetcd.op.Op.put(bs("fw/txn"), bs("t"), io.etcd.jetcd.options.PutOption.DEFAULT))
                    .commit().get(30, TimeUnit.SECONDS).isSucceeded());
        }
        for (MetaStoreServer m : members) {
            try (Client client = TestServers.client(m.grpcPort())) {
                assertEquals(52, count(client.getKVClient(), "fw/"), "linearizable read on member " + indexOf(m));
            }
        }
    }

    @Test
    void aFollowerTakesTheCommitOfAWriteItForwardedFromTheLeadersAnswerAndReadsItsWrite() throws Exception {
        int f = aFollower();
        try (Client client = TestServers.client(members[f].grpcPort())) {
            putAndReadEachBack(client.getKVClient(), "hint/", 20);
        }
        assertTrue(metric(members[f], "metastore_follower_commit_hints_total") > 0,
                "the follower took commit indexes from the leader's answers");
        String text = members[f].metrics().text();
        assertTrue(text.contains("metastore_write_stage_duration_seconds_count{role=\"follower\",stage=\"apply_here\"} 20"),
                "every forwarded put timed stage by stage");

        // a cluster whose members learn commits only from heartbeats still answers every write after applying it
        stop();
        peers.clear();
        generation = "heartbeat-";
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            // and forwards each request in a message of its own
            members[i] = MetaStoreServer.start(config(i + 1, "--follower-commit", "heartbeat", "--forward-batch", "1"));
        }
        await(() -> leader() != null, "a leader of the heartbeat cluster");
        int g = aFollower();
        try (Client client = TestServers.client(members[g].grpcPort())) {
            putAndReadEachBack(client.getKVClient(), "beat/", 5);
        }
        assertEquals(0, metric(members[g], "metastore_follower_commit_hints_total"), "no hint taken with --follower-commit heartbeat");
        double[] sizes = histogram(members[g], "metastore_forward_batch_size");
        assertEquals(sizes[0], sizes[1], "--forward-batch 1: one request per message");
    }

    /** The sum and the count of a histogram without labels in a member's /metrics text. */
    static double[] histogram(MetaStoreServer m, String name) {
        return new double[] {metric(m, name + "_sum"), metric(m, name + "_count")};
    }

    @Test
    void concurrentWritesThroughAFollowerGoTogetherWithForwardBatchAndEachIsReadBackThere() throws Exception {
        stop();
        peers.clear();
        generation = "batch-";
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            members[i] = MetaStoreServer.start(config(i + 1, "--forward-batch", "64"));
        }
        await(() -> leader() != null, "a leader of the batching cluster");
        int f = aFollower();
        int n = 500;
        try (Client client = TestServers.client(members[f].grpcPort())) {
            KV kv = client.getKVClient();
            List<CompletableFuture<io.etcd.jetcd.kv.PutResponse>> puts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                puts.add(kv.put(bs("batch/" + i), bs("v" + i)));
            }
            java.util.Set<Long> revisions = new java.util.HashSet<>();
            for (var p : puts) {
                revisions.add(p.get(30, TimeUnit.SECONDS).getHeader().getRevision());
            }
            assertEquals(n, revisions.size(), "each forwarded put answered with a revision of its own");
            // answered only once applied on this member: a serializable read here sees every write
            assertEquals(n, kv.get(bs("batch/"), GetOption.builder().isPrefix(true).withCountOnly(true)
                    .withSerializable(true).build()).get(30, TimeUnit.SECONDS).getCount());
            putAndReadEachBack(kv, "batch-one/", 3);
            double[] before = histogram(members[f], "metastore_forward_batch_size");
            // compare-and-swap with a read on failure (as Kubernetes writes): one value per answer, batched too
            List<CompletableFuture<io.etcd.jetcd.kv.TxnResponse>> txns = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteSequence key = bs("cas/" + i);
                txns.add(kv.txn().If(new io.etcd.jetcd.op.Cmp(key, io.etcd.jetcd.op.Cmp.Op.EQUAL,
                                io.etcd.jetcd.op.CmpTarget.modRevision(0)))
                        .Then(io.etcd.jetcd.op.Op.put(key, bs("c" + i), io.etcd.jetcd.options.PutOption.DEFAULT))
                        .Else(io.etcd.jetcd.op.Op.get(key, GetOption.DEFAULT)).commit());
            }
            for (var t : txns) {
                assertTrue(t.get(30, TimeUnit.SECONDS).isSucceeded(), "each key was absent");
            }
            var failed = kv.txn().If(new io.etcd.jetcd.op.Cmp(bs("cas/7"), io.etcd.jetcd.op.Cmp.Op.EQUAL,
                            io.etcd.jetcd.op.CmpTarget.modRevision(0)))
                    .Then(io.etcd.jetcd.op.Op.put(bs("cas/7"), bs("again"), io.etcd.jetcd.options.PutOption.DEFAULT))
                    .Else(io.etcd.jetcd.op.Op.get(bs("cas/7"), GetOption.DEFAULT)).commit().get(30, TimeUnit.SECONDS);
            assertEquals("c7", failed.getGetResponses().get(0).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8),
                    "the failure branch's read answered through the follower");
            double[] after = histogram(members[f], "metastore_forward_batch_size");
            assertEquals(n + 1, after[0] - before[0], "every txn forwarded once");
            assertTrue(after[1] - before[1] < n, "txns that arrived together went in fewer messages: " + (after[1] - before[1]));
        }
        double[] sizes = histogram(members[f], "metastore_forward_batch_size");
        assertEquals(2 * n + 4, sizes[0], "every forwarded request counted once");
        assertTrue(sizes[1] < sizes[0], "requests that arrived together went in fewer messages: " + sizes[1]);
    }

    @Test
    void aRestartedFollowerCatchesUpFromTheLogAndFromASnapshot() throws Exception {
        int f = aFollower();
        MetaStoreServer leader = leader();
        try (Client client = TestServers.client(leader.grpcPort())) {
            KV kv = client.getKVClient();
            putAll(kv, "cu/", 20);
            members[f].close();
            members[f] = null;
            putAll(kv, "cu/b", 30);
            members[f] = MetaStoreServer.start(config(f + 1));
            MetaStoreServer back = members[f];
            await(() -> back.store().currentRevision() == leader.store().currentRevision(), "catch-up from the log");

            // now from a snapshot: jraft truncates the log at a snapshot up to the one before it,
            // so after two snapshots the log no longer starts at the first entry; the follower
            // loses everything
            members[f].close();
            members[f] = null;
            putAll(kv, "cu/c", 20);
            snapshot(leader);
            putAll(kv, "cu/d", 10);
            snapshot(leader);
            TestServers.deleteRecursively(dir.resolve("m" + (f + 1)));
            members[f] = MetaStoreServer.start(config(f + 1));
            MetaStoreServer fresh = members[f];
            await(() -> fresh.store().currentRevision() == leader.store().currentRevision(), "catch-up from a snapshot");
            // it never snapshots itself (interval 0): a snapshot in its data dir is the leader's,
            // installed because the leader's log no longer starts at the first entry
            try (var snapshots = java.nio.file.Files.list(dir.resolve("m" + (f + 1)).resolve("raft").resolve("snapshot"))) {
                assertTrue(snapshots.anyMatch(p -> p.getFileName().toString().startsWith("snapshot_")),
                        "the follower installed the leader's snapshot");
            }
            try (Client direct = TestServers.client(fresh.grpcPort())) {
                assertEquals(80, direct.getKVClient().get(bs("cu/"), GetOption.builder().isPrefix(true)
                        .withSerializable(true).withCountOnly(true).build()).get(30, TimeUnit.SECONDS).getCount());
            }
        }
    }

    @Test
    void losingTheLeaderElectsAnotherAndLosesNoAcknowledgedWrite() throws Exception {
        MetaStoreServer old = leader();
        int oldIndex = indexOf(old);
        int survivor = (oldIndex + 1) % 3;
        try (Client client = TestServers.client(members[survivor].grpcPort())) {
            KV kv = client.getKVClient();
            putAll(kv, "ll/", 100);
            old.close();
            members[oldIndex] = null;
            await(() -> leader() != null, "a new leader");
            assertNotEquals(old, leader());
            assertEquals(100, count(kv, "ll/"));
            putAll(kv, "ll/after", 10);
            assertEquals(110, count(kv, "ll/"));
        }
    }

    @Test
    void aLeaseOutlivesALeaderChangeAndThenExpiresEverywhereAtOneRevision() throws Exception {
        int f = aFollower();
        int survivor = f;
        try (Client client = TestServers.client(members[f].grpcPort())) {
            io.etcd.jetcd.Lease lease = client.getLeaseClient();
            KV kv = client.getKVClient();
            long id = lease.grant(4).get(30, TimeUnit.SECONDS).getID();  // forwarded to the leader
            kv.put(bs("lease/k"), bs("v"), io.etcd.jetcd.options.PutOption.builder().withLeaseId(id).build())
                    .get(30, TimeUnit.SECONDS);
            assertEquals(4, lease.keepAliveOnce(id).get(30, TimeUnit.SECONDS).getTTL(), "renewed through a follower");

            MetaStoreServer old = leader();
            int oldIndex = indexOf(old);
            old.close();
            members[oldIndex] = null;
            await(() -> leader() != null, "a new leader");
            long ttl = lease.timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT).get(30, TimeUnit.SECONDS).getTTL();
            assertTrue(ttl >= 2, "the new leader gave the lease a fresh TTL, remaining " + ttl);
            assertEquals(1, kv.get(bs("lease/k")).get(30, TimeUnit.SECONDS).getCount());

            await(() -> {
                for (MetaStoreServer m : members) {
                    if (m != null && m.store().range(io.metastore.mvcc.RangeQuery.key(
                            "lease/k".getBytes(StandardCharsets.UTF_8))).count() != 0) {
                        return false;
                    }
                }
                return true;
            }, "the lease to expire on every member");
            long[] revisions = java.util.Arrays.stream(members).filter(java.util.Objects::nonNull)
                    .mapToLong(m -> m.store().currentRevision()).distinct().toArray();
            assertEquals(1, revisions.length, "same revision everywhere");
            assertEquals(-1, lease.timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT).get(30, TimeUnit.SECONDS).getTTL());
        }
    }

    @Test
    void replicasAgreeOnHashKvListEveryMemberAndMoveTheLeaderOnRequest() throws Exception {
        try (Client client = TestServers.client(members[aFollower()].grpcPort())) {
            putAll(client.getKVClient(), "h/", 50);
            client.getKVClient().compact(20, io.etcd.jetcd.options.CompactOption.builder().withCompactPhysical(true).build())
                    .get(30, TimeUnit.SECONDS);
            putAll(client.getKVClient(), "h2/", 10);
        }
        long target = leader().store().currentRevision();
        await(() -> java.util.Arrays.stream(members).allMatch(m -> m.store().currentRevision() == target), "replication");
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        for (MetaStoreServer m : members) {
            var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", m.grpcPort()).usePlaintext().build();
            try {
                hashes.add(io.etcd.jetcd.api.MaintenanceGrpc.newBlockingStub(channel)
                        .hashKV(io.etcd.jetcd.api.HashKVRequest.newBuilder().setRevision(target).build()).getHash());
                var list = io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel)
                        .memberList(io.etcd.jetcd.api.MemberListRequest.getDefaultInstance());
                assertEquals(3, list.getMembersCount());
                java.util.Set<String> clientUrls = new java.util.HashSet<>();
                list.getMembersList().forEach(mem -> clientUrls.add(mem.getClientURLs(0)));
                java.util.Set<String> expected = new java.util.HashSet<>();
                for (MetaStoreServer x : members) {
                    expected.add("http://127.0.0.1:" + x.grpcPort());
                }
                assertEquals(expected, clientUrls);
            } finally {
                channel.shutdownNow();
            }
        }
        assertEquals(1, hashes.size(), "every replica reports the same HashKV");

        MetaStoreServer follower = members[aFollower()];
        long followerId = io.metastore.server.raft.ClusterIdentity.memberId(
                io.metastore.server.raft.ClusterIdentity.of(peers, peers.get(0)).clusterId(), follower.config().raftAddress());
        var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", leader().grpcPort()).usePlaintext().build();
        try {
            io.etcd.jetcd.api.MaintenanceGrpc.newBlockingStub(channel)
                    .moveLeader(io.etcd.jetcd.api.MoveLeaderRequest.newBuilder().setTargetID(followerId).build());
        } finally {
            channel.shutdownNow();
        }
        await(() -> leader() == follower, "leadership to move");
    }

    @Test
    void aLearnerAddedToAnIdleClusterIsPromotedOnceCaughtUp() throws Exception {
        // the log of an idle cluster ends with configuration entries, which never reach the store
        String newPeer = "127.0.0.1:" + TestServers.freePort();
        var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", leader().grpcPort()).usePlaintext().build();
        try (Client client = TestServers.client(leader().grpcPort())) {
            putAll(client.getKVClient(), "idle/", 3);
            long learnerId = io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel).memberAdd(io.etcd.jetcd.api.MemberAddRequest
                    .newBuilder().addPeerURLs("http://" + newPeer).setIsLearner(true).build()).getMember().getID();
            List<String> all = new ArrayList<>(peers);
            all.add(newPeer);
            String[] args = {"--member-id", "4", "--cluster", String.join(",", all), "--join",
                    "--data-dir", dir.resolve("m4").toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0", "--storage", "memory",
                    "--raft-sync", "false", "--election-timeout-ms", "1500"};
            members = java.util.Arrays.copyOf(members, 4);
            members[3] = MetaStoreServer.start(((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config());
            await(() -> members[3].store().currentRevision() == leader().store().currentRevision(), "the learner to catch up");
            await(() -> {
                try {
                    return promote(channel, learnerId).getMembersList().stream().noneMatch(m -> m.getIsLearner());
                } catch (io.grpc.StatusRuntimeException notYet) {
                    return false;
                }
            }, "the caught-up learner to be promoted");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aLearnerIsAddedCaughtUpPromotedAndAMemberRemovedWhileWritesContinue() throws Exception {
        String newPeer = "127.0.0.1:" + TestServers.freePort();
        var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", members[aFollower()].grpcPort())
                .usePlaintext().build();
        try (Client client = TestServers.client(members[0].grpcPort(), members[1].grpcPort(), members[2].grpcPort())) {
            var cluster = io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel);
            KV kv = client.getKVClient();
            putAll(kv, "mc/a", 30);
            var added = cluster.memberAdd(io.etcd.jetcd.api.MemberAddRequest.newBuilder()
                    .addPeerURLs("http://" + newPeer).setIsLearner(true).build());
            assertTrue(added.getMember().getIsLearner());
            assertEquals(4, added.getMembersCount());
            long learnerId = added.getMember().getID();

            io.grpc.StatusRuntimeException notReady = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> promote(channel, learnerId));
            assertEquals("etcdserver: can only promote a learner member which is in sync with leader",
                    notReady.getStatus().getDescription());

            List<String> all = new ArrayList<>(peers);
            all.add(newPeer);
            String[] args = {"--member-id", "4", "--cluster", String.join(",", all), "--join",
                    "--data-dir", dir.resolve("m4").toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0", "--storage", "rocksdb",
                    "--raft-sync", "false", "--election-timeout-ms", "1500"};
            MetaStoreServer fourth = MetaStoreServer.start(((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config());
            members = java.util.Arrays.copyOf(members, 4);
            members[3] = fourth;
            putAll(kv, "mc/b", 30);
            await(() -> fourth.store().currentRevision() == leader().store().currentRevision(), "the learner to catch up");

            var promoted = promote(channel, learnerId);
            assertEquals(4, promoted.getMembersList().stream().filter(m -> !m.getIsLearner()).count());

            int victim = aFollower();
            long victimId = -1;
            for (var m : cluster.memberList(io.etcd.jetcd.api.MemberListRequest.getDefaultInstance()).getMembersList()) {
                if (m.getPeerURLs(0).equals("http://" + members[victim].config().raftAddress())) {
                    victimId = m.getID();
                }
            }
            var removed = cluster.memberRemove(io.etcd.jetcd.api.MemberRemoveRequest.newBuilder().setID(victimId).build());
            assertEquals(3, removed.getMembersCount());
            members[victim].close();
            members[victim] = null;
            putAll(kv, "mc/c", 30);
            long target = leader().store().currentRevision();
            await(() -> fourth.store().currentRevision() == target, "the promoted member to follow");
            assertEquals(90, fourth.store().range(io.metastore.mvcc.RangeQuery.of(
                    "mc/".getBytes(StandardCharsets.UTF_8), "mc0".getBytes(StandardCharsets.UTF_8))).count());
            assertEquals(leader().raft().node().getLeaderId(), fourth.raft().node().getLeaderId());
            assertEquals(members[indexOf(leader())].store().currentRevision(), target);
            var toFourth = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", fourth.grpcPort()).usePlaintext().build();
            try {
                io.grpc.StatusRuntimeException voter = org.junit.jupiter.api.Assertions.assertThrows(
                        io.grpc.StatusRuntimeException.class, () -> promote(toFourth, learnerId));
                assertEquals("etcdserver: can only promote a learner member", voter.getStatus().getDescription());
            } finally {
                toFourth.shutdownNow();
            }
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void memberIdsAreAssignedOnAddAndKeptThroughUpdateRestartAndRemoval() throws Exception {
        long clusterId = io.metastore.server.raft.ClusterIdentity.of(peers, peers.get(0)).clusterId();
        String firstPeer = "127.0.0.1:" + TestServers.freePort();
        String movedPeer = "127.0.0.1:" + TestServers.freePort();
        int f = aFollower();
        long followerId = memberIds(members[f]).get(members[f].config().raftAddress());
        var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", members[f].grpcPort()).usePlaintext().build();
        try {
            var cluster = io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel);
            var added = cluster.memberAdd(io.etcd.jetcd.api.MemberAddRequest.newBuilder()
                    .addPeerURLs("http://" + firstPeer).setIsLearner(true).build());
            long id = added.getMember().getID();
            assertNotEquals(io.metastore.server.raft.ClusterIdentity.memberId(clusterId, firstPeer), id,
                    "a new member's id is assigned when it is added, not derived from its address");
            assertEquals(followerId, added.getHeader().getMemberId(), "the answer carries the answering member's id");
            Map<String, Long> afterAdd = memberIds(members);
            assertEquals(4, afterAdd.size());
            assertEquals(id, afterAdd.get(firstPeer), "MemberList names the new member by the id MemberAdd answered");

            cluster.memberUpdate(io.etcd.jetcd.api.MemberUpdateRequest.newBuilder().setID(id)
                    .addPeerURLs("http://" + movedPeer).build());
            Map<String, Long> afterUpdate = new java.util.HashMap<>(afterAdd);
            afterUpdate.remove(firstPeer);
            afterUpdate.put(movedPeer, id);
            assertEquals(afterUpdate, memberIds(members), "MemberUpdate moves the member, its id stays");

            // the other follower restarts: it reads the ids back (RocksDB: from its store; memory: from the log)
            int r = 3 - indexOf(leader()) - f;
            members[r].close();
            members[r] = null;
            members[r] = MetaStoreServer.start(config(r + 1));
            long target = leader().store().appliedIndex();
            await(() -> members[r].store().appliedIndex() >= target, "the restarted member to catch up");
            assertEquals(afterUpdate, memberIds(members), "ids survive a restart");

            var removed = cluster.memberRemove(io.etcd.jetcd.api.MemberRemoveRequest.newBuilder().setID(id).build());
            assertEquals(3, removed.getMembersCount());
            assertTrue(removed.getMembersList().stream().noneMatch(m -> m.getID() == id));
            io.grpc.StatusRuntimeException gone = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> cluster.memberRemove(
                            io.etcd.jetcd.api.MemberRemoveRequest.newBuilder().setID(id).build()));
            assertEquals("etcdserver: member not found", gone.getStatus().getDescription());
            afterUpdate.remove(movedPeer);
            assertEquals(afterUpdate, memberIds(members), "the other members keep their ids");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aVoterMovedToANewPeerAddressKeepsItsIdInItsOwnHeadersAndInEveryList() throws Exception {
        int f = aFollower();
        String oldPeer = peers.get(f);
        long id = memberIds(members).get(oldPeer);
        // jraft admits a new voter address once it has caught up, so the member restarts at its new
        // address (with its data dir) first; until the update it is outside the configuration
        members[f].close();
        members[f] = null;
        String newPeer = "127.0.0.1:" + TestServers.freePort();
        peers.set(f, newPeer);
        members[f] = MetaStoreServer.start(config(f + 1));
        int other = 3 - indexOf(leader()) - f;
        var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", members[other].grpcPort())
                .usePlaintext().build();
        try {
            io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel).memberUpdate(io.etcd.jetcd.api.MemberUpdateRequest
                    .newBuilder().setID(id).addPeerURLs("http://" + newPeer).build());
        } finally {
            channel.shutdownNow();
        }
        long target = leader().store().appliedIndex();
        await(() -> members[f].store().appliedIndex() >= target, "the moved member to catch up");
        Map<String, Long> ids = memberIds(members); // also: the moved member's headers carry the id listed for it
        assertEquals(3, ids.size());
        assertEquals(id, ids.get(newPeer));
        assertTrue(!ids.containsKey(oldPeer));
        try (Client client = TestServers.client(members[f].grpcPort())) {
            assertEquals(id, client.getKVClient().put(bs("moved"), bs("yes")).get(30, TimeUnit.SECONDS)
                    .getHeader().getMemberId());
        }
    }

    /**
     * MemberList asked of each running member, as peer address to id: every member must report the
     * same ids, and the member id in each answer's header must be the id its own address has.
     */
    static Map<String, Long> memberIds(MetaStoreServer... servers) {
        Map<String, Long> agreed = null;
        for (MetaStoreServer m : servers) {
            if (m == null) {
                continue;
            }
            var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", m.grpcPort()).usePlaintext().build();
            try {
                var list = io.etcd.jetcd.api.ClusterGrpc.newBlockingStub(channel)
                        .memberList(io.etcd.jetcd.api.MemberListRequest.getDefaultInstance());
                Map<String, Long> ids = new java.util.HashMap<>();
                list.getMembersList().forEach(mem -> ids.put(mem.getPeerURLs(0).substring("http://".length()), mem.getID()));
                assertEquals(ids.get(m.config().raftAddress()), list.getHeader().getMemberId(),
                        "header member id of " + m.config().raftAddress());
                if (agreed == null) {
                    agreed = ids;
                } else {
                    assertEquals(agreed, ids, "MemberList of " + m.config().raftAddress());
                }
            } finally {
                channel.shutdownNow();
            }
        }
        return agreed;
    }

    static io.etcd.jetcd.api.MemberListResponse promote(io.grpc.Channel channel, long id) {
        var method = io.grpc.MethodDescriptor.<io.etcd.jetcd.api.MemberRemoveRequest, io.etcd.jetcd.api.MemberListResponse>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("etcdserverpb.Cluster/MemberPromote")
                .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(io.etcd.jetcd.api.MemberRemoveRequest.getDefaultInstance()))
                .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(io.etcd.jetcd.api.MemberListResponse.getDefaultInstance()))
                .build();
        // a deadline: a promote that is never answered fails this attempt instead of the whole run
        return io.grpc.stub.ClientCalls.blockingUnaryCall(channel, method,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS),
                io.etcd.jetcd.api.MemberRemoveRequest.newBuilder().setID(id).build());
    }

    @Test
    void aTokenFromOneMemberWorksOnEveryMemberAndAuthChangesReachFollowers() throws Exception {
        int f = aFollower();
        var toFollower = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", members[f].grpcPort()).usePlaintext().build();
        try {
            var auth = io.etcd.jetcd.api.AuthGrpc.newBlockingStub(toFollower);
            auth.userAdd(io.etcd.jetcd.api.AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build());
            auth.userGrantRole(io.etcd.jetcd.api.AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
            auth.authEnable(io.etcd.jetcd.api.AuthEnableRequest.getDefaultInstance());
            String token = auth.authenticate(io.etcd.jetcd.api.AuthenticateRequest.newBuilder().setName("root")
                    .setPassword("pw").build()).getToken();
            long target = leader().store().currentRevision();
            await(() -> java.util.Arrays.stream(members).allMatch(m -> m.store().appliedIndex() >= leader().store().appliedIndex()),
                    "every member to apply the token");
            for (MetaStoreServer m : members) {
                var channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", m.grpcPort()).usePlaintext().build();
                try {
                    var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(channel);
                    io.grpc.StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                            io.grpc.StatusRuntimeException.class, () -> kv.range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                                    .setKey(com.google.protobuf.ByteString.copyFromUtf8("x")).build()));
                    assertEquals("etcdserver: user name is empty", refused.getStatus().getDescription());
                    io.grpc.Metadata md = new io.grpc.Metadata();
                    md.put(io.grpc.Metadata.Key.of("token", io.grpc.Metadata.ASCII_STRING_MARSHALLER), token);
                    var withToken = kv.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md));
                    withToken.put(io.etcd.jetcd.api.PutRequest.newBuilder()
                            .setKey(com.google.protobuf.ByteString.copyFromUtf8("auth/" + indexOf(m))).build());
                    assertTrue(withToken.range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                            .setKey(com.google.protobuf.ByteString.copyFromUtf8("auth/" + indexOf(m))).build()).getCount() == 1);
                } finally {
                    channel.shutdownNow();
                }
            }
            assertTrue(target > 0);
        } finally {
            toFollower.shutdownNow();
        }
    }
}
