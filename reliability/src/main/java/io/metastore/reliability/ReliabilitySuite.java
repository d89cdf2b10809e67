package io.metastore.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The long suite: a fault-injection run with every kind of fault many times, crash consistency of
 * one member for each engine and codec, a gRPC fuzz, a fuzz of the JSON gateway, and one member with a capped heap under many
 * keys, leases and watchers. Writes
 * {@code <results>/<yyyy-MM-dd>_<shortsha>/summary.md}.
 */
public final class ReliabilitySuite {

    /**
     * @param faultRounds  rounds of the fault cycle (six faults each: leader kill, follower kill with wipe,
     *                     pause, leader kill, pause, full restart)
     * @param crashKills   kills per storage/codec combination
     * @param fuzzSeconds  length of the gRPC fuzz
     * @param gatewayFuzzSeconds length of the JSON gateway fuzz
     * @param bounds       the bounded-memory load (keys, leases, watchers, heap cap)
     * @param seed         for every random choice
     */
    public record Settings(int faultRounds, int crashKills, int fuzzSeconds, int gatewayFuzzSeconds, ResourceBounds.Plan bounds,
                           long seed) {
        public static Settings fromSystemProperties() {
            return new Settings(Integer.getInteger("reliability.faultRounds", 3),
                    Integer.getInteger("reliability.crashKills", 4),
                    Integer.getInteger("reliability.fuzzSeconds", 60),
                    Integer.getInteger("reliability.gatewayFuzzSeconds", 30),
                    new ResourceBounds.Plan(Integer.getInteger("reliability.boundsKeys", 1_000_000),
                            Integer.getInteger("reliability.boundsLeases", 100_000),
                            Integer.getInteger("reliability.boundsWatchers", 10_000), 100,
                            Integer.getInteger("reliability.boundsHeapMb", 1024), "rocksdb"),
                    Long.getLong("reliability.seed", 20261125L));
        }
    }

    public record Outcome(boolean passed, Path summary) {
    }

    private static final List<Fault.Kind> CYCLE = List.of(Fault.Kind.KILL_LEADER, Fault.Kind.KILL_FOLLOWER_WIPE,
            Fault.Kind.PAUSE, Fault.Kind.KILL_LEADER, Fault.Kind.PAUSE, Fault.Kind.RESTART_ALL);

    /** Server options of the fault run: snapshots every 5 s so a wiped follower rejoins through one. */
    static final List<String> CLUSTER_ARGS = List.of("--snapshot-interval-secs", "5", "--election-timeout-ms", "1000");

    private ReliabilitySuite() {
    }

    public static Outcome run(Settings settings, Path work, Path resultsRoot) {
        long began = System.nanoTime();
        List<Fault.Kind> faults = new ArrayList<>();
        for (int i = 0; i < settings.faultRounds(); i++) {
            faults.addAll(CYCLE);
        }
        FaultScenario.Report faultReport = FaultScenario.run(
                new FaultScenario.Plan(faults, 5000, 5, 5, CLUSTER_ARGS, settings.seed()), work.resolve("cluster"));

        List<CrashConsistency.Report> crash = new ArrayList<>();
        String[][] combos = {{"rocksdb", "json"}, {"rocksdb", "kryo"}, {"rocksdb", "protobuf"},
                {"memory", "json"}, {"memory", "kryo"}, {"memory", "protobuf"}};
        for (int i = 0; i < combos.length; i++) {
            crash.add(CrashConsistency.run(combos[i][0], combos[i][1], settings.crashKills(),
                    work.resolve("crash-" + combos[i][0] + "-" + combos[i][1]), settings.seed() + i));
        }

        GrpcFuzzer.Report fuzz = GrpcFuzzer.run(TimeUnit.SECONDS.toMillis(settings.fuzzSeconds()), work.resolve("fuzz"),
                settings.seed());
        GatewayFuzzer.Report gatewayFuzz = GatewayFuzzer.run(TimeUnit.SECONDS.toMillis(settings.gatewayFuzzSeconds()),
                work.resolve("gateway-fuzz"), settings.seed());

        ResourceBounds.Report bounds = ResourceBounds.run(settings.bounds(), work.resolve("bounds"));

        boolean passed = faultReport.passed() && crash.stream().allMatch(CrashConsistency.Report::passed) && fuzz.passed()
                && gatewayFuzz.passed() && bounds.passed();
        String sha = gitShortSha();
        Path folder = resultsRoot.resolve(LocalDate.now(ZoneOffset.UTC) + "_" + sha);
        long lostAll = faultReport.lost() + crash.stream().mapToLong(CrashConsistency.Report::lost).sum();
        StringBuilder md = new StringBuilder();
        md.append("# Reliability run ").append(folder.getFileName()).append("\n\n");
        md.append("Written by `io.metastore.reliability.ReliabilitySuite` (`mvn -B -o -pl reliability -am verify -Preliability -Dtest=ReliabilitySuiteTest`, ")
                .append("see `reliability/README.md`). Every member is a separate `java -jar metastore-server.jar` process on loopback.\n\n");
        md.append("| | |\n| --- | --- |\n");
        md.append("| verdict | ").append(passed ? "PASS" : "FAIL").append(" |\n");
        md.append("| acknowledged writes lost (all parts) | ").append(lostAll).append(" |\n");
        md.append("| linearizability | ").append(faultReport.verdict().describe()).append(" |\n");
        md.append("| longest unavailability after a fault | ").append(faultReport.longestUnavailableMillis()).append(" ms |\n");
        md.append("| suite duration | ").append(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)).append(" s |\n");
        md.append("| finished | ").append(ZonedDateTime.now(ZoneOffset.UTC).withNano(0)).append(" |\n");
        md.append("| git | ").append(sha).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append(" |\n");
        md.append("| CPUs | ").append(Runtime.getRuntime().availableProcessors())
                .append(" (shared with other jobs; load average at the end ")
                .append(String.format("%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append(") |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(" |\n");
        md.append("| seed | ").append(settings.seed()).append(" |\n");
        md.append("| member JVM | `").append(String.join(" ", ServerProcess.DEFAULT_JVM)).append("` (the bounded-memory member: its own `-Xmx`) |\n");
        md.append("| cluster options | `").append(String.join(" ", CLUSTER_ARGS))
                .append("`, all else default (tier3, rocksdb, raft-sync true) |\n");
        md.append("| workload | 5 clients, 5 keys: 35% linearizable get, 30% put, 20% txn CAS (half on the value, half on its mod revision), 15% delete; 3 s deadline; a watcher per member and a lease probe beside them |\n\n");
        md.append(Summary.faultSection(faultReport)).append('\n');
        md.append(Summary.crashSection(crash)).append('\n');
        md.append(Summary.fuzzSection(fuzz)).append('\n');
        md.append(Summary.gatewayFuzzSection(gatewayFuzz)).append('\n');
        md.append(Summary.boundsSection(bounds));
        Path summary = folder.resolve("summary.md");
        Summary.write(summary, md.toString());
        return new Outcome(passed, summary);
    }

    static String gitShortSha() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "nogit";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "nogit";
        }
    }

    /** {@code java -cp <classpath> io.metastore.reliability.ReliabilitySuite [resultsDir]}; settings from -Dreliability.* properties. */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : System.getProperty("reliability.results", "results/reliability"));
        Path work = Files.createTempDirectory("reliability");
        try {
            Outcome o = run(Settings.fromSystemProperties(), work, results);
            System.out.println((o.passed() ? "PASS " : "FAIL ") + o.summary());
            System.exit(o.passed() ? 0 : 1);
        } finally {
            ServerProcess.deleteRecursively(work);
        }
    }
}
