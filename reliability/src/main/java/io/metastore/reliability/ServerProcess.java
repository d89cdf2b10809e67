package io.metastore.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One server member running as a child process of {@code java -jar metastore-server.jar}: started,
 * killed with SIGKILL, paused with SIGSTOP and resumed with SIGCONT, its data dir wiped, restarted
 * with the same arguments. Its output goes to {@code member.log} beside the data dir, appended across
 * restarts.
 */
public final class ServerProcess implements AutoCloseable {
    /** The JVM options every member runs with unless told otherwise. */
    public static final List<String> DEFAULT_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final Path jar;
    private final List<String> jvm;
    private final List<String> args;
    private final Path dataDir;
    private final Path log;
    private final int grpcPort;
    private volatile Process process;
    private boolean paused;

    public ServerProcess(Path jar, List<String> args, Path dataDir, Path log, int grpcPort) {
        this(jar, DEFAULT_JVM, args, dataDir, log, grpcPort);
    }

    /** @param jvm the JVM's options (heap cap, collector) before {@code -jar} */
    public ServerProcess(Path jar, List<String> jvm, List<String> args, Path dataDir, Path log, int grpcPort) {
        this.jar = jar;
        this.jvm = List.copyOf(jvm);
        // a harness stopped from outside (Ctrl-C, SIGTERM) must not leave this member running
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAtExit, "stop-member-" + grpcPort));
        this.args = List.copyOf(args);
        this.dataDir = dataDir;
        this.log = log;
        this.grpcPort = grpcPort;
    }

    /**
     * One member that bootstraps a cluster of its own on free ports, with the {@code --port} HTTP
     * listener off ({@code --port 0}), its data in {@code dir/data} and its output in {@code dir/member.log}.
     *
     * @param jvm   the JVM's options
     * @param extra further server options ({@code --storage}, {@code --codec}, ...)
     */
    public static ServerProcess single(Path dir, List<String> jvm, String... extra) {
        int grpc = ProcessCluster.freePort();
        List<String> args = new ArrayList<>(List.of("--member-id", "1", "--cluster", "127.0.0.1:" + ProcessCluster.freePort(),
                "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0", "--data-dir", dir.resolve("data").toString()));
        args.addAll(List.of(extra));
        return new ServerProcess(serverJar(), jvm, args, dir.resolve("data"), dir.resolve("member.log"), grpc);
    }

    /** The runnable server jar: the system property {@code metastore.server.jar}, else {@code ../server/target/metastore-server.jar}. */
    public static Path serverJar() {
        Path jar = Path.of(System.getProperty("metastore.server.jar", "../server/target/metastore-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server jar at " + jar.toAbsolutePath()
                    + " (build it: mvn -B -q -o -pl server -am package -DskipTests)");
        }
        return jar;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        paused = false;
    }

    private void stopAtExit() {
        Process p = process; // no lock: the JVM is going down, a thread holding it may never let go
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        if (paused) {
            signal("CONT"); // a stopped process still dies of SIGKILL; resuming first keeps the state simple
            paused = false;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("member on port " + grpcPort + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    public synchronized void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) {
        try {
            Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the data dir (engine, Raft log and metadata, snapshots, identity file); only while killed. */
    public synchronized void wipe() {
        if (isAlive()) {
            throw new IllegalStateException("wipe of a running member");
        }
        deleteRecursively(dataDir);
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized boolean isServing() {
        return isAlive() && !paused;
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    /**
     * Bytes of Java heap in use after a full collection, read with the JDK's {@code jcmd} (a
     * {@code GC.run}, then {@code GC.heap_info}'s generations' "used" summed; the serial collector's layout, which members run with); -1 if it cannot be read.
     */
    public synchronized long heapUsedAfterFullGc() {
        if (!isServing()) {
            return -1;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String pid = String.valueOf(process.pid());
        try {
            run(jcmd.toString(), pid, "GC.run");
            String info = run(jcmd.toString(), pid, "GC.heap_info");
            long usedKb = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(info);
            // the serial collector's "def new generation" and "tenured generation" lines; metaspace is not heap
            while (m.find()) {
                usedKb += Long.parseLong(m.group(1));
            }
            return usedKb == 0 ? -1 : usedKb * 1024;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public Path log() {
        return log;
    }

    @Override
    public synchronized void close() {
        kill();
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
