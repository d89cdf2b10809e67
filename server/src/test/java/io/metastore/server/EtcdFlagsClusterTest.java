package io.metastore.server;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A three-member cluster started with an etcd 3.4 operator's flags, listening on every interface:
 * MemberList names each member by its {@code --name} and shows the client URL it advertises,
 * not the {@code 0.0.0.0} it listens on.
 */
class EtcdFlagsClusterTest {
    @TempDir
    Path dir;
    final List<MetaStoreServer> members = new ArrayList<>();

    @AfterEach
    void stop() {
        members.forEach(MetaStoreServer::close);
    }

    @Test
    void membersStartedWithEtcdsFlagsAreListedByNameWithTheirAdvertisedClientUrls() throws Exception {
        int[] client = {TestServers.freePort(), TestServers.freePort(), TestServers.freePort()};
        int[] peer = {TestServers.freePort(), TestServers.freePort(), TestServers.freePort()};
        String cluster = "infra0=http://127.0.0.1:" + peer[0] + ",infra1=http://127.0.0.1:" + peer[1]
                + ",infra2=http://127.0.0.1:" + peer[2];
        for (int i = 0; i < 3; i++) {
            String[] args = {"--name", "infra" + i, "--data-dir", dir.resolve("infra" + i).toString(),
                    "--listen-client-urls", "http://0.0.0.0:" + client[i],
                    "--advertise-client-urls", "http://127.0.0.1:" + client[i],
                    "--listen-peer-urls", "http://0.0.0.0:" + peer[i],
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer[i],
                    "--initial-cluster", cluster, "--initial-cluster-token", "etcd-cluster-1",
                    "--initial-cluster-state", "new", "--port", "0", "--raft-sync", "false"};
            ServerConfig config = ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
            assertEquals("0.0.0.0:" + peer[i], config.identity().peerListen());
            members.add(MetaStoreServer.start(config));
        }
        TestServers.await(() -> members.stream().anyMatch(m -> m.raft().isLeader()), "a leader");
        try (Client c = TestServers.client(client)) {
            ByteSequence k = ByteSequence.from("k", StandardCharsets.UTF_8);
            c.getKVClient().put(k, ByteSequence.from("v", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            assertEquals("v", c.getKVClient().get(k).get(30, TimeUnit.SECONDS).getKvs().get(0).getValue()
                    .toString(StandardCharsets.UTF_8));
            Map<String, List<String>> listed = new TreeMap<>();
            Map<String, List<String>> peers = new TreeMap<>();
            for (Member m : c.getClusterClient().listMember().get(30, TimeUnit.SECONDS).getMembers()) {
                listed.put(m.getName(), m.getClientURIs().stream().map(URI::toString).toList());
                peers.put(m.getName(), m.getPeerURIs().stream().map(URI::toString).toList());
            }
            assertEquals(Map.of("infra0", List.of("http://127.0.0.1:" + client[0]),
                    "infra1", List.of("http://127.0.0.1:" + client[1]),
                    "infra2", List.of("http://127.0.0.1:" + client[2])), listed);
            assertEquals(Map.of("infra0", List.of("http://127.0.0.1:" + peer[0]),
                    "infra1", List.of("http://127.0.0.1:" + peer[1]),
                    "infra2", List.of("http://127.0.0.1:" + peer[2])), peers);
        }
    }
}
