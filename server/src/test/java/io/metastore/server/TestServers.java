package io.metastore.server;

import io.etcd.jetcd.Client;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Starts members in this JVM on free ports with temporary data dirs, and cleans them up. */
public final class TestServers {
    private TestServers() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration for one member of a single-node cluster; {@code extra} are server flags. */
    public static ServerConfig singleNode(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--data-dir", dataDir.toString(),
                "--grpc-addr", "127.0.0.1:0",
                "--port", "0",
                "--cluster", "127.0.0.1:" + freePort(),
                "--raft-sync", "false"));
        args.addAll(List.of(extra));
        return ((ConfigLoader.Run) ConfigLoader.load(args.toArray(String[]::new), Map.of())).config();
    }

    public static MetaStoreServer startAndAwaitLeader(ServerConfig config) {
        MetaStoreServer server = MetaStoreServer.start(config);
        try {
            if (!server.awaitLeader(30, TimeUnit.SECONDS)) {
                server.close();
                throw new IllegalStateException("no leader within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException(e);
        }
        return server;
    }

    public static Client client(int... grpcPorts) {
        String[] endpoints = new String[grpcPorts.length];
        for (int i = 0; i < grpcPorts.length; i++) {
            endpoints[i] = "http://127.0.0.1:" + grpcPorts[i];
        }
        return Client.builder().endpoints(endpoints).build();
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to 30 s for {@code condition}. */
    public static void await(java.util.function.BooleanSupplier condition, String what) {
        await(condition, 30, what);
    }

    /** Waits up to {@code seconds} for {@code condition}. */
    public static void await(java.util.function.BooleanSupplier condition, long seconds, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
