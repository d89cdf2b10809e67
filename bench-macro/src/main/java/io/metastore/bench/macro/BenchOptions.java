package io.metastore.bench.macro;

import io.metastore.bench.macro.subject.LoadTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The harness's flags. {@code --quick} sets small defaults first; any flag given explicitly
 * overrides them, whatever its position.
 */
public record BenchOptions(List<String> configs, List<String> storages, List<Integer> nodes,
                           List<LoadTo> clusterLoad, List<String> workloads, Duration duration,
                           Duration warmup, int repetitions, int inflight, int keySpace, int valueBytes,
                           int compactionRevisions, int compactionKeys, List<String> targets, boolean etcd,
                           String etcdBinary, boolean profile, Duration profileWindow, Path root, Path serverJar,
                           Path out, Path profilesOut, String runName, List<String> serverJvmOptions,
                           List<String> serverJava, Duration aotTraining, Path trainAot, boolean quick,
                           List<String> args) {

    public static final String USAGE = """
            usage: java -jar bench-macro/target/metastore-bench-macro.jar [flags]

              --quick                      small matrix in about a minute (baseline,tier3 on memory;
                                           put-100, range-ser, compaction of 5000 revisions; 3 s cells)
              --configs LIST               MetaStore configurations, comma-separated (default: all below)
                                             baseline, tier1, tier2, tier3   tier presets
                                             codec-only, proposal-only,      baseline with one switch
                                             locking-only, executor-only     set as in tier3
                                             TIER+flag=value[+...]           any preset with server flags
              --storage LIST               rocksdb,memory (default both)
              --nodes LIST                 cluster sizes, e.g. 1,3 (default 1): each MetaStore configuration
                                           and etcd run as one member and as a cluster of 3 on loopback
              --cluster-load LIST          where a cluster's load goes: all (connections round-robin over
                                           every member, as an etcd client given all endpoints), leader,
                                           or both: all,leader (default all). Single-client workloads
                                           (put-1, range-lin-1) run on a cluster through the leader and
                                           through a follower, whatever this says
              --workloads LIST             put-1,put-100,put-1000,range-lin-1,range-lin,range-ser,txn-put,mixed,
                                           compaction,
                                           lease-keepalive,watch-latency,idle (default all)
              --duration D                 measured window per cell (default 10s; 500ms, 10s, 1m)
              --warmup D                   load before the window, not measured (default 3s)
              --repetitions N              each cell N times, configurations interleaved (default 3)
              --inflight N                 requests in flight per client (default 1)
              --keys N                     key space of 8-byte keys (default 1000)
              --value-size N               value bytes (default 256)
              --compaction-revisions N     revisions written before the timed compaction (default 100000)
              --compaction-keys N          keys they are spread over (default 1000)
              --target NAME=HOST:PORT      also measure a running etcd-compatible endpoint (repeatable)
              --etcd                       also start etcd (from PATH, or --etcd-bin) for every cell
              --etcd-bin PATH              etcd binary (default: etcd)
              --no-profile                 skip async-profiler flame graphs
              --profile-window D           each of the CPU and allocation recordings (default 3s)
              --server-jar PATH            default: <root>/server/target/metastore-server.jar
              --server-jvm-opts "OPTS"     JVM options of every server (default "-Xms1g -Xmx1g")
              --server-java LIST           Java runtimes of the MetaStore servers, each a lab axis like the
                                           configurations: default (the harness's JVM), a JDK home or a java
                                           binary; +aot after a JDK 25 starts every cell from an AOT cache
                                           recorded by a training run first (e.g.
                                           default,/usr/lib/jvm/temurin-25-jdk-amd64,/usr/lib/jvm/temurin-25-jdk-amd64+aot)
              --aot-training D             load of each +aot training run, over the run's workloads (default 60s)
              --train-aot PATH             only train: record the AOT cache of the first configuration and
                                           storage on the first +aot runtime, write it to PATH and stop (the
                                           launcher ./metastore starts from server/target/metastore-server.aot)
              --root DIR                   repository root (default: found from the working directory)
              --out DIR                    default: <root>/results/macro
              --profiles-out DIR           default: <root>/profiles/macro
              --run-name NAME              run folder name (default: <yyyy-MM-dd>_<short sha>)
            """;

    private static final java.util.Set<String> VALUE_FLAGS = java.util.Set.of("--configs", "--storage", "--nodes", "--cluster-load",
            "--workloads",
            "--duration", "--warmup", "--repetitions", "--inflight", "--keys", "--value-size", "--compaction-revisions",
            "--compaction-keys", "--target", "--etcd-bin", "--profile-window", "--server-jar", "--server-jvm-opts",
            "--server-java", "--aot-training", "--train-aot",
            "--root", "--out", "--profiles-out", "--run-name");

    public static BenchOptions parse(String... argv) {
        List<String> args = List.of(argv);
        boolean quick = args.contains("--quick");
        List<String> configs = quick ? List.of("baseline", "tier3")
                : List.of("baseline", "tier1", "tier2", "tier3", "codec-only", "proposal-only", "locking-only",
                "executor-only");
        List<String> storages = quick ? List.of("memory") : List.of("rocksdb", "memory");
        List<Integer> nodes = List.of(1);
        List<LoadTo> clusterLoad = List.of(LoadTo.ALL);
        List<String> workloads = quick ? List.of("put-100", "range-ser", "compaction")
                : io.metastore.bench.macro.load.Workload.NAMES;
        Duration duration = Duration.ofSeconds(quick ? 3 : 10);
        Duration warmup = Duration.ofSeconds(quick ? 1 : 3);
        int repetitions = quick ? 1 : 3;
        int inflight = 1;
        int keys = 1000;
        int valueBytes = 256;
        int compactionRevisions = quick ? 5000 : 100_000;
        int compactionKeys = quick ? 100 : 1000;
        List<String> targets = new ArrayList<>();
        boolean etcd = false;
        String etcdBin = "etcd";
        boolean profile = true;
        Duration profileWindow = Duration.ofSeconds(quick ? 1 : 3);
        Path root = null;
        Path serverJar = null;
        Path out = null;
        Path profilesOut = null;
        String runName = null;
        List<String> jvm = List.of("-Xms1g", "-Xmx1g");
        List<String> serverJava = List.of("default");
        Duration aotTraining = Duration.ofSeconds(60);
        Path trainAot = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--quick" -> { }
                case "--etcd" -> etcd = true;
                case "--no-profile" -> profile = false;
                case "--help", "-h" -> throw new UsageException(null);
                default -> {
                    if (!VALUE_FLAGS.contains(name)) {
                        throw new UsageException("unknown flag " + name);
                    }
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    switch (name) {
                        case "--configs" -> configs = list(value);
                        case "--storage" -> storages = list(value);
                        case "--nodes" -> nodes = list(value).stream().map(n -> positive("--nodes", n)).distinct().toList();
                        case "--cluster-load" -> clusterLoad = clusterLoad(value);
                        case "--workloads" -> workloads = list(value);
                        case "--duration" -> duration = duration(value);
                        case "--warmup" -> warmup = duration(value);
                        case "--repetitions" -> repetitions = positive(name, value);
                        case "--inflight" -> inflight = positive(name, value);
                        case "--keys" -> keys = positive(name, value);
                        case "--value-size" -> valueBytes = positive(name, value);
                        case "--compaction-revisions" -> compactionRevisions = positive(name, value);
                        case "--compaction-keys" -> compactionKeys = positive(name, value);
                        case "--target" -> targets.add(value);
                        case "--etcd-bin" -> etcdBin = value;
                        case "--profile-window" -> profileWindow = duration(value);
                        case "--server-jar" -> serverJar = Path.of(value);
                        case "--server-jvm-opts" -> jvm = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                        case "--server-java" -> serverJava = list(value);
                        case "--aot-training" -> aotTraining = duration(value);
                        case "--train-aot" -> trainAot = Path.of(value);
                        case "--root" -> root = Path.of(value);
                        case "--out" -> out = Path.of(value);
                        case "--profiles-out" -> profilesOut = Path.of(value);
                        case "--run-name" -> runName = value;
                        default -> throw new UsageException("unknown flag " + name);
                    }
                }
            }
        }
        for (String s : storages) {
            if (!s.equals("rocksdb") && !s.equals("memory")) {
                throw new UsageException("--storage takes rocksdb and/or memory, not " + s);
            }
        }
        if (root == null) {
            root = findRoot(Path.of("").toAbsolutePath());
        }
        if (serverJar == null) {
            serverJar = root.resolve("server/target/metastore-server.jar");
        }
        if (out == null) {
            out = root.resolve("results/macro");
        }
        if (profilesOut == null) {
            profilesOut = root.resolve("profiles/macro");
        }
        return new BenchOptions(configs, storages, nodes, clusterLoad, workloads, duration, warmup, repetitions, inflight, keys, valueBytes,
                compactionRevisions, compactionKeys, List.copyOf(targets), etcd, etcdBin, profile, profileWindow, root,
                serverJar, out, profilesOut, runName, jvm, serverJava, aotTraining, trainAot, quick, args);
    }

    /** The repository root: the nearest directory upwards holding {@code server/pom.xml}. */
    static Path findRoot(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("server/pom.xml")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new UsageException("cannot find the repository root (a folder with server/pom.xml) above " + from
                + "; pass --root");
    }

    private static List<LoadTo> clusterLoad(String v) {
        List<LoadTo> out = new ArrayList<>();
        for (String s : list(v)) {
            LoadTo t = s.equals("all") ? LoadTo.ALL : s.equals("leader") ? LoadTo.LEADER : null;
            if (t == null) {
                throw new UsageException("--cluster-load takes all and/or leader, not " + s);
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--cluster-load needs all and/or leader");
        }
        return List.copyOf(out);
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int positive(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error
        }
        throw new UsageException(name + " wants a positive integer, not " + v);
    }

    static Duration duration(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
            }
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new UsageException("not a duration: " + v + " (try 500ms, 10s, 1m)");
        }
    }

    /** A bad command line; the message (or the usage text when null) goes to stderr. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
