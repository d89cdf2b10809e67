package io.metastore.server;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a single-node server in the middle of a write load, then a restart: every
 * acknowledged write is there, and no entry was applied twice (each key has version 1 and the
 * revision counts exactly the keys written).
 */
class KillRestartTest {
    @TempDir
    Path dir;
    Process process;

    @AfterEach
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    Process launch(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static void awaitServing(KV kv) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                kv.get(bs("probe")).get(2, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("server did not come up", e);
                }
                Thread.sleep(100);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "memory"})
    void acknowledgedWritesSurviveKillDashNine(String storage) throws Exception {
        int grpc = TestServers.freePort();
        List<String> args = List.of("--data-dir", dir.resolve("data").toString(),
                "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0", "--cluster", "127.0.0.1:" + TestServers.freePort(),
                "--storage", storage);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        process = launch(args);
        try (Client client = TestServers.client(grpc)) {
            KV kv = client.getKVClient();
            awaitServing(kv);
            Semaphore inFlight = new Semaphore(64);
            for (int i = 0; i < 100_000 && acknowledged.size() < 400; i++) {
                inFlight.acquire();
                String key = "kill/" + i;
                kv.put(bs(key), bs("v")).whenComplete((r, e) -> {
                    if (e == null) {
                        acknowledged.add(key);
                    }
                    inFlight.release();
                });
            }
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(acknowledged.size() >= 400);

        process = launch(args);
        try (Client client = TestServers.client(grpc)) {
            KV kv = client.getKVClient();
            awaitServing(kv);
            GetResponse all = kv.get(bs("kill/"), GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS);
            Set<String> present = ConcurrentHashMap.newKeySet();
            all.getKvs().forEach(k -> {
                present.add(k.getKey().toString(StandardCharsets.UTF_8));
                assertEquals(1, k.getVersion(), "applied twice: " + k.getKey());
            });
            assertTrue(present.containsAll(acknowledged),
                    "lost " + acknowledged.stream().filter(k -> !present.contains(k)).limit(10).toList());
            assertEquals(1 + present.size(), all.getHeader().getRevision(), "one revision per written key");
        }
    }

    @org.junit.jupiter.api.Test
    void sigtermShutsDownCleanlyAndKeepsTheData() throws Exception {
        int grpc = TestServers.freePort();
        List<String> args = List.of("--data-dir", dir.resolve("data").toString(),
                "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0", "--cluster", "127.0.0.1:" + TestServers.freePort());
        process = launch(args);
        try (Client client = TestServers.client(grpc)) {
            KV kv = client.getKVClient();
            awaitServing(kv);
            kv.put(bs("term/a"), bs("1")).get(30, TimeUnit.SECONDS);
        }
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits after SIGTERM");
        String log = java.nio.file.Files.readString(dir.resolve("server.log"));
        assertTrue(log.contains("metastore: shutting down"), log);
        process = launch(args);
        try (Client client = TestServers.client(grpc)) {
            KV kv = client.getKVClient();
            awaitServing(kv);
            assertEquals(1, kv.get(bs("term/a")).get(30, TimeUnit.SECONDS).getCount());
        }
    }

    @org.junit.jupiter.api.Test
    void badFlagsEndTheProcessWithOneLineAndNonZeroExit() throws Exception {
        process = launch(List.of("--storage", "floppy"));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertEquals(List.of("metastore: --storage must be one of memory, rocksdb, got 'floppy'"),
                java.nio.file.Files.readAllLines(dir.resolve("server.log")));
    }
}
