package io.metastore.server.http;

import com.google.gson.JsonParser;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's plain HTTP API on --port: keys by path, members under /members, the reserved-path rule. */
class KeyValueApiTest {
    static Path dir;
    static MetaStoreServer server;
    static Client etcd;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kv-api");
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir, "--port", String.valueOf(TestServers.freePort())));
        etcd = TestServers.client(server.grpcPort());
    }

    @AfterAll
    static void stop() {
        etcd.close();
        server.close();
        TestServers.deleteRecursively(dir);
    }

    static HttpResponse<byte[]> call(String method, String path, byte[] body) throws Exception {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).method(method, p).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static byte[] grpcGet(byte[] key) throws Exception {
        var kvs = etcd.getKVClient().get(ByteSequence.from(key)).get(10, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0).getValue().getBytes();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndTheConnectionClosed() throws Exception {
        int size = Gateway.MAX_BODY + 1;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    var out = socket.getOutputStream();
                    out.write(("PUT /too-big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + size + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[size]);
                    out.flush();
                } catch (java.io.IOException closedByTheServer) {
                    // expected once the server has answered and closed
                }
            });
            writer.start();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // ends at EOF
            writer.join(30_000);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
        }
        assertEquals(null, grpcGet("too-big".getBytes(StandardCharsets.UTF_8)), "nothing written");
    }

    @Test
    void putGetDeleteAKey() throws Exception {
        assertEquals(204, call("PUT", "/seed-key", "v1".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), grpcGet("seed-key".getBytes(StandardCharsets.UTF_8)),
                "committed before the answer, visible over gRPC");
        HttpResponse<byte[]> get = call("GET", "/seed-key", null);
        assertEquals(200, get.statusCode());
        assertEquals("v1", text(get));
        assertEquals(204, call("DELETE", "/seed-key", null).statusCode());
        HttpResponse<byte[]> gone = call("GET", "/seed-key", null);
        assertEquals(404, gone.statusCode());
        assertEquals("Failed to GET\n", text(gone));
        assertEquals(404, call("DELETE", "/seed-key", null).statusCode());
        assertEquals(405, call("PATCH", "/seed-key", null).statusCode());
    }

    @Test
    void aNumericPathIsAKeyForPutGetAndDelete() throws Exception {
        assertEquals(204, call("PUT", "/12345", "n".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals("n", text(call("GET", "/12345", null)));
        assertEquals(204, call("DELETE", "/12345", null).statusCode());
        assertEquals(null, grpcGet("12345".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, etcd.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers().size());
    }

    @Test
    void keysArePercentDecodedBytes() throws Exception {
        byte[] key = {'a', 0x00, (byte) 0xff, '/', 'b', ' '};
        byte[] value = {0x01, (byte) 0xfe};
        assertEquals(204, call("PUT", "/a%00%FF%2Fb%20", value).statusCode());
        assertArrayEquals(value, grpcGet(key));
        assertArrayEquals(value, call("GET", "/a%00%ff/b%20", null).body());
        assertThrows(IllegalArgumentException.class, () -> KeyValueApi.percentDecode("bad%zz"), "answered with 400");
        assertThrows(IllegalArgumentException.class, () -> KeyValueApi.percentDecode("bad%2"));
        assertEquals(400, call("PUT", "/", value).statusCode(), "an empty key: etcd's key is not provided");
    }

    @Test
    void reservedPathsStayReachableAsKeysWhenEncoded() throws Exception {
        assertEquals(204, call("PUT", "/%68ealth", "h".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(204, call("PUT", "/%6Dembers/1", "m".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertArrayEquals("h".getBytes(StandardCharsets.UTF_8), grpcGet("health".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("m".getBytes(StandardCharsets.UTF_8), grpcGet("members/1".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<byte[]> health = call("GET", "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("{\"health\":\"true\"}", text(health));
        assertEquals("{\"etcdserver\":\"3.4.0\",\"etcdcluster\":\"3.4.0\"}", text(call("GET", "/version", null)));
    }

    @Test
    void membersAreListedAndChangedUnderTheMembersPath() throws Exception {
        HttpResponse<byte[]> list = call("GET", "/members", null);
        assertEquals(200, list.statusCode());
        assertEquals(1, JsonParser.parseString(text(list)).getAsJsonObject().getAsJsonArray("members").size());
        HttpResponse<byte[]> unknown = call("DELETE", "/members/12345", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("etcdserver: member not found\n", text(unknown));
        assertEquals(400, call("DELETE", "/members/not-an-id", null).statusCode());
        assertEquals(400, call("POST", "/members/4", new byte[0]).statusCode(), "no peer URL");
        assertEquals(400, call("POST", "/4", new byte[0]).statusCode(), "the seed's POST /{id} is membership too");
        assertTrue(text(call("GET", "/members", null)).contains("\"members\""));
        assertEquals(1, etcd.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers().size());
    }
}
