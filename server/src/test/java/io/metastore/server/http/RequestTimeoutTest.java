package io.metastore.server.http;

import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both HTTP/1.1 listeners close a connection whose request does not arrive whole within
 * --http-request-timeout-ms (slow-loris), and leave one alone whose request is whole and whose
 * answer streams on (a watch through the gateway).
 */
class RequestTimeoutTest {
    static final int TIMEOUT_MS = 300;
    static Path dir;
    static MetaStoreServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("http-timeout");
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir, "--port", String.valueOf(TestServers.freePort()),
                "--http-request-timeout-ms", String.valueOf(TIMEOUT_MS)));
    }

    @AfterAll
    static void stop() {
        server.close();
        TestServers.deleteRecursively(dir);
    }

    static int port(String listener) {
        return listener.equals("client") ? server.grpcPort() : server.httpPort();
    }

    /** Reads until the server closes the socket (-1), within {@code seconds}; false if it stays open. */
    static boolean closedWithin(Socket s, int seconds) throws Exception {
        s.setSoTimeout(seconds * 1000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // an answer (none is expected) is read past; the close is what counts
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset by the server
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"client", "kv"})
    void halfARequestLineIsClosedAfterTheTimeout(String listener) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port(listener))) {
            OutputStream out = s.getOutputStream();
            out.write("GET /ver".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            assertTrue(closedWithin(s, 10), "the connection stayed open");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= TIMEOUT_MS / 2, "closed too early: " + ms + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"client", "kv"})
    void headersWithoutTheirEndAreClosedAfterTheTimeout(String listener) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port(listener))) {
            OutputStream out = s.getOutputStream();
            out.write("GET /version HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(closedWithin(s, 10), "the connection stayed open");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"client", "kv"})
    void aWholeRequestIsAnsweredAndTheIdleConnectionClosedLater(String listener) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port(listener))) {
            OutputStream out = s.getOutputStream();
            out.write("GET /version HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                assertTrue(r > 0, "closed before the answer");
                n += r;
            }
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            assertTrue(closedWithin(s, 10), "the idle keep-alive connection stayed open");
        }
    }

    @org.junit.jupiter.api.Test
    void aWatchStreamOutlivesTheTimeout() throws Exception {
        String body = "{\"create_request\":{\"key\":\"" + java.util.Base64.getEncoder().encodeToString("w".getBytes()) + "\"}}";
        try (Socket s = new Socket("127.0.0.1", server.grpcPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // several timeouts long: a stream whose request was whole is not cut
            assertTrue(!closedWithin(s, 2), "the watch stream was closed");
        }
    }
}
