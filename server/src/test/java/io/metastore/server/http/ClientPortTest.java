package io.metastore.server.http;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gRPC and HTTP/1.1 on the one client port. */
class ClientPortTest {
    static Path dir;
    static MetaStoreServer server;
    static Client etcd;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("client-port");
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir));
        etcd = TestServers.client(server.grpcPort());
    }

    @AfterAll
    static void stop() {
        etcd.close();
        server.close();
        TestServers.deleteRecursively(dir);
    }

    @Test
    void grpcAndHttpShareThePort() throws Exception {
        ByteSequence k = ByteSequence.from("shared", StandardCharsets.UTF_8);
        etcd.getKVClient().put(k, ByteSequence.from("v", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.grpcPort() + "/nothing-here"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertEquals("404 page not found\n", r.body());
        assertEquals("v", etcd.getKVClient().get(k).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
                .toString(StandardCharsets.UTF_8));
    }

    /** The sniffer waits for enough bytes, and pipelined requests are answered in order on one connection. */
    @Test
    void splitAndPipelinedHttpRequestsAreAnswered() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.grpcPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("P".getBytes(StandardCharsets.US_ASCII)); // a prefix of the HTTP/2 preface too
            out.flush();
            out.write(("UT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            assertEquals(2, all.split("HTTP/1.1 404 Not Found", -1).length - 1, all);
            assertTrue(all.endsWith("404 page not found\n"), all);
        }
    }

    @Test
    void healthAndVersionAnswerAsEtcd34() throws Exception {
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"health\":\"true\"}", health.body());
        assertEquals("text/plain; charset=utf-8", health.headers().firstValue("content-type").orElse(""));
        HttpResponse<String> version = get("/version");
        assertEquals(200, version.statusCode());
        assertEquals("{\"etcdserver\":\"3.4.0\",\"etcdcluster\":\"3.4.0\"}", version.body());
        assertEquals("application/json", version.headers().firstValue("content-type").orElse(""));
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("etcd_server_has_leader 1"), "the member's registry is served");
        assertEquals(404, get("/readiness").statusCode(), "etcd 3.4 has no /readiness");
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.grpcPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] readAll(InputStream in) throws Exception {
        return in.readAllBytes();
    }
}
