package io.metastore.server.watch;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.metastore.server.watch.HubHarness.await;
import static io.metastore.server.watch.RawWatch.bs;
import static io.metastore.server.watch.RawWatch.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Watch on every member of a three-member cluster: followers apply, so their watchers see every write. */
class WatchClusterTest {
    @TempDir
    Path dir;
    final List<MetaStoreServer> members = new ArrayList<>();
    final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        members.forEach(MetaStoreServer::close);
    }

    ManagedChannel channel(MetaStoreServer m) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", m.grpcPort()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    @Test
    void watchersOnFollowersSeeWritesMadeThroughTheLeaderAndEndWhenTheirMemberStops() {
        List<String> peers = List.of("127.0.0.1:" + TestServers.freePort(), "127.0.0.1:" + TestServers.freePort(),
                "127.0.0.1:" + TestServers.freePort());
        for (int i = 1; i <= 3; i++) {
            String[] args = {"--member-id", String.valueOf(i), "--cluster", String.join(",", peers),
                    "--data-dir", dir.resolve("m" + i).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                    "--storage", "memory", "--raft-sync", "false", "--election-timeout-ms", "600"};
            ServerConfig config = ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
            members.add(MetaStoreServer.start(config));
        }
        await("a leader", () -> members.stream().anyMatch(m -> m.raft().isLeader()));
        MetaStoreServer leader = members.stream().filter(m -> m.raft().isLeader()).findFirst().orElseThrow();
        List<RawWatch> watches = new ArrayList<>();
        for (MetaStoreServer m : members) {
            RawWatch w = new RawWatch(channel(m));
            w.create(on("c/").setRangeEnd(bs("c0")));
            watches.add(w);
        }
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel(leader));
        long r1 = kv.put(PutRequest.newBuilder().setKey(bs("c/a")).setValue(bs("1")).build()).getHeader().getRevision();
        long r2 = kv.put(PutRequest.newBuilder().setKey(bs("c/b")).setValue(bs("2")).build()).getHeader().getRevision();
        for (RawWatch w : watches) {
            WatchResponse a = w.nextEvents();
            assertEquals(r1, a.getEvents(0).getKv().getModRevision());
            assertEquals(r1, a.getHeader().getRevision());
            assertEquals(r2, w.nextEvents().getEvents(0).getKv().getModRevision());
        }

        MetaStoreServer follower = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        RawWatch onFollower = watches.get(members.indexOf(follower));
        follower.close();
        StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, onFollower.nextError());
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("etcdserver: server stopped", e.getStatus().getDescription());
        watches.forEach(RawWatch::close);
    }
}
