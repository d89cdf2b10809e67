package io.metastore.server.http;

import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** /health turns 503 on a member that has lost its quorum. */
class HealthClusterTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir
    Path dir;
    final MetaStoreServer[] members = new MetaStoreServer[3];

    @AfterEach
    void stop() {
        for (MetaStoreServer m : members) {
            if (m != null) {
                m.close();
            }
        }
    }

    static HttpResponse<String> health(MetaStoreServer m) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.grpcPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void healthIs503WithoutQuorum() {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            String[] args = {"--member-id", String.valueOf(i + 1), "--cluster", String.join(",", peers),
                    "--data-dir", dir.resolve("m" + i).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                    "--storage", "memory", "--raft-sync", "false", "--election-timeout-ms", "1000"};
            ServerConfig c = ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
            members[i] = MetaStoreServer.start(c);
        }
        MetaStoreServer survivor = members[0];
        TestServers.await(() -> health(survivor).statusCode() == 200, "a healthy cluster");
        assertEquals("{\"health\":\"true\"}", health(survivor).body());
        members[1].close();
        members[1] = null;
        members[2].close();
        members[2] = null;
        TestServers.await(() -> health(survivor).statusCode() == 503, "the survivor to report no quorum");
        assertEquals("{\"health\":\"false\"}\n", health(survivor).body());
    }
}
