package io.metastore.server.peer;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Both peer transports, gRPC with unary calls or streams and with AppendEntries on jraft's executor or
 * the transport thread, replicate, carry forwarding and member info ({@code bolt} is kept to measure against).
 */
class PeerTransportsTest {
    @TempDir
    Path dir;
    final List<String> peers = new ArrayList<>();
    final MetaStoreServer[] members = new MetaStoreServer[3];

    @AfterEach
    void stop() {
        for (MetaStoreServer m : members) {
            if (m != null) {
                m.close();
            }
        }
    }

    ServerConfig config(int member, String transport) {
        String[] args = {"--member-id", String.valueOf(member), "--cluster", String.join(",", peers),
                "--data-dir", dir.resolve("m" + member).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                "--storage", "memory", "--raft-sync", "false", "--election-timeout-ms", "1500", "--peer-transport", transport.replaceAll("-.*", ""),
                "--peer-stream", String.valueOf(transport.contains("-stream")),
                "--peer-append-on-transport", String.valueOf(transport.endsWith("-append-on-transport"))};
        return ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bolt", "grpc", "grpc-stream", "grpc-stream-append-on-transport"})
    void aFollowerForwardsWritesAndListsMembers(String transport) throws Exception {
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            members[i] = MetaStoreServer.start(config(i + 1, transport));
        }
        TestServers.await(() -> java.util.Arrays.stream(members).anyMatch(m -> m.raft().isLeader()), "a leader");
        MetaStoreServer follower = java.util.Arrays.stream(members).filter(m -> !m.raft().isLeader()).findFirst().orElseThrow();
        try (Client client = TestServers.client(follower.grpcPort())) {
            for (int i = 0; i < 10; i++) {
                client.getKVClient().put(ByteSequence.from("bolt/" + i, StandardCharsets.UTF_8),
                        ByteSequence.from("v", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            }
            assertEquals(10, client.getKVClient().get(ByteSequence.from("bolt/", StandardCharsets.UTF_8),
                    io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS).getCount());
            long revision = follower.store().currentRevision();
            for (MetaStoreServer m : members) {
                TestServers.await(() -> m.store().currentRevision() >= revision, "every member applied the writes");
            }
            // every member's name and client URL come from its own answer over the peer transport
            TestServers.await(() -> {
                try {
                    var list = client.getClusterClient().listMember().get(30, TimeUnit.SECONDS).getMembers();
                    return list.size() == 3 && list.stream().allMatch(m -> m.getClientURIs().size() == 1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "member info over " + transport);
        }
    }
}
