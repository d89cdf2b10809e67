package io.metastore.server;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * grpc-java logs through java.util.logging; in a server process that goes through SLF4J like
 * every other line, so {@code --log-format json} holds for gRPC's warnings too.
 */
class JulLoggingTest {
    @TempDir
    Path dir;
    Process process;

    @AfterEach
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void grpcJavaWarningsAreLoggedAsJson() throws Exception {
        int grpc = TestServers.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--data-dir", dir.resolve("data").toString(), "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0",
                "--cluster", "127.0.0.1:" + TestServers.freePort(), "--storage", "memory", "--log-format", "json",
                "--max-request-bytes", "1024"));
        Path stderr = dir.resolve("stderr.log");
        process = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(stderr.toFile()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            awaitServing(kv);
            // over max-request-bytes + 512 KiB: grpc-java refuses it and logs a JUL warning
            PutRequest huge = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                    .setValue(ByteString.copyFrom(new byte[2 << 20])).build();
            assertThrows(StatusRuntimeException.class, () -> kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(huge));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(stderr).contains("\"loggerName\":\"io.grpc")) {
                assertTrue(System.nanoTime() < deadline, "no io.grpc line on stderr:\n" + Files.readString(stderr));
                Thread.sleep(50);
            }
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        }
        for (String line : Files.readAllLines(stderr)) {
            assertTrue(line.startsWith("{") && line.endsWith("}"), "not a JSON line on stderr: " + line);
        }
    }

    private static void awaitServing(KVGrpc.KVBlockingStub kv) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                kv.withDeadlineAfter(2, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("probe")).build());
                return;
            } catch (StatusRuntimeException e) {
                assertTrue(System.nanoTime() < deadline, "server did not come up: " + e);
                Thread.sleep(100);
            }
        }
    }
}
