package io.metastore.bench.macro.subject;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process of one cell: output to its log file in the cell's work dir, ready
 * once a linearizable Range succeeds (so a leader exists), stopped with SIGTERM (SIGKILL after
 * 10 s, or a grace given) and its data dir deleted on close.
 */
final class ManagedProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final String host;
    private final int port;
    private final boolean jvm;
    private final Path log;
    private final String startupPrefix;
    /** Kills the server if the harness itself is stopped (Ctrl-C) before the cell ends. */
    private final Thread reaper;

    private ManagedProcess(Process process, Path dataDir, String host, int port, boolean jvm, Path log,
                           String startupPrefix) {
        this.process = process;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        this.jvm = jvm;
        this.log = log;
        this.startupPrefix = startupPrefix;
        this.reaper = new Thread(process::destroyForcibly, "reap-server-" + process.pid());
    }

    /**
     * Starts the process with its output in {@code log}, without waiting for it: the members of
     * a cluster must all be running before any of them can answer.
     */
    static ManagedProcess launch(List<String> command, Path work, Path log, Path dataDir, String host, int port,
                                 boolean jvm, String startupPrefix) throws IOException {
        Files.createDirectories(work);
        Files.writeString(log, String.join(" ", command) + System.lineSeparator());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ManagedProcess m = new ManagedProcess(p, dataDir, host, port, jvm, log, startupPrefix);
        Runtime.getRuntime().addShutdownHook(m.reaper);
        return m;
    }

    /** Waits until a linearizable Range succeeds here; on failure says why, with the log's last lines. */
    void awaitReady() throws InterruptedException {
        try {
            awaitRange(host, port, START_TIMEOUT, process);
        } catch (RuntimeException e) {
            throw new IllegalStateException("server did not become ready; log " + log + ": " + tail(log), e);
        }
    }

    /** Polls with a linearizable Range until one succeeds, the process dies, or the timeout passes. */
    static void awaitRange(String host, int port, Duration timeout, Process process) throws InterruptedException {
        ManagedChannel ch = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                if (process != null && !process.isAlive()) {
                    throw new IllegalStateException("process exited with " + process.exitValue());
                }
                try {
                    KVGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS)
                            .range(RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("ready"))
                                    .build());
                    return;
                } catch (RuntimeException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
            throw new IllegalStateException("no successful Range on " + host + ":" + port + " within " + timeout, last);
        } finally {
            ch.shutdownNow();
        }
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /**
     * The server's own process id: the command is started directly (no shell in between), so
     * this is the JVM or etcd process whose CPU time {@code /proc/<pid>/stat} reports.
     */
    long pid() {
        return process.pid();
    }

    OptionalLong jvmPid() {
        return jvm ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    String startupLine() {
        if (startupPrefix == null) {
            return "";
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.startsWith(startupPrefix)).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Stops the process with SIGTERM, and SIGKILL if it has not exited after {@code grace}; deletes its data dir. */
    void close(Duration grace) {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down (the hook is running or has run), or it was never added
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
