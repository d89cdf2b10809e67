package io.metastore.bench.runner;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.metastore.engine.rocksdb.RocksEngineOptions;
import io.metastore.mvcc.StoreOptions;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs benchmark suites and writes the run's folder. Usage:
 *
 * <pre>
 * MicroBench [--root DIR] [--out DIR] SUITES [--quick] [--flame] [--filter REGEX] [JMH options...]
 * MicroBench [--root DIR] --summarize RUN_DIR
 *
 *   SUITES       codec | handoff | store | compaction | options | lease | metrics | all, or a comma-separated list
 *   --quick      1 fork, 1 warmup and 1 measurement iteration of 100 ms each (unless JMH options
 *                say otherwise): proves every benchmark runs, measures nothing worth keeping;
 *                written to results/micro/DATE_SHA-quick and never indexed
 *   --flame      attach async-profiler (JMH's -prof async) and write flame graphs and the JSON
 *                under profiles/micro/RUN instead of results/micro/RUN
 *   --filter     run only the suite's benchmarks whose name matches REGEX
 *   --out        write the run into DIR instead of results/micro/DATE_SHA (no index update)
 *   --summarize  regenerate summary.md and charts of an existing run folder
 *   JMH options  anything JMH's command line takes: -f 2 -wi 3 -w 2s -i 5 -r 2s -p shape=put1k -prof gc
 * </pre>
 *
 * The codec suite runs with JMH's gc profiler (allocation per operation) unless the JMH options
 * name profilers of their own or ask for flame graphs.
 *
 * A run folder is {@code results/micro/<yyyy-MM-dd>_<short sha>/}: one JMH JSON per suite, the
 * {@code environment.json} and the generated {@code summary.md} with one chart per suite. Running
 * another suite at the same commit and day adds to the same folder and regenerates the summary.
 */
public final class MicroBench {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private MicroBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException | CommandLineOptionException e) {
            System.err.println("micro bench: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs as {@link #main} does and returns the run folder. */
    public static Path run(String... args) throws IOException, RunnerException, CommandLineOptionException {
        Path root = Path.of(".");
        Path out = null;
        Path summarize = null;
        String suites = null;
        String filter = null;
        boolean quick = false;
        boolean flame = false;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--summarize" -> summarize = Path.of(value(args, ++i, a));
                case "--filter" -> filter = value(args, ++i, a);
                case "--quick", "quick" -> quick = true;
                case "--flame", "flame" -> flame = true;
                default -> {
                    if (suites == null && !a.startsWith("-") && jmhArgs.isEmpty()) {
                        suites = a;
                    } else {
                        jmhArgs.add(a);
                    }
                }
            }
        }
        root = root.toAbsolutePath().normalize();
        if (summarize != null) {
            Path dir = root.resolve(summarize);
            SummaryWriter.write(dir);
            System.out.println("summary: " + dir.resolve("summary.md"));
            return dir;
        }
        if (suites == null) {
            throw new IllegalArgumentException("name a suite: " + Suite.ids() + " or all");
        }
        List<Suite> chosen = Suite.parse(suites);
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        if (!cli.getIncludes().isEmpty()) {
            throw new IllegalArgumentException("use --filter REGEX to narrow a suite, not a JMH include pattern: "
                    + cli.getIncludes());
        }

        Git git = Git.at(root);
        // A quick run measures nothing worth keeping: its own folder, never indexed beside real runs.
        String runName = LocalDate.now(ZoneOffset.UTC) + "_" + git.shortSha + (quick ? "-quick" : "");
        boolean indexed = out == null && !quick;
        Path runDir = out != null ? root.resolve(out)
                : root.resolve(flame ? "profiles" : "results").resolve("micro").resolve(runName);
        Files.createDirectories(runDir);
        JsonObject env = environment(runDir, git, runName);

        for (Suite suite : chosen) {
            Path json = runDir.resolve(suite.id + ".json");
            ChainedOptionsBuilder b = new OptionsBuilder().parent(cli)
                    .include(filter == null ? suite.include : "^(?=.*(?:" + filter + "))" + suite.include)
                    .resultFormat(ResultFormatType.JSON).result(json.toString());
            if (quick) {
                quick(b, cli);
            }
            boolean gcByDefault = suite.allocationProfiled() && cli.getProfilers().isEmpty() && !flame;
            if (gcByDefault) {
                // the codec comparison reports allocation per entry beside its time unless told otherwise
                b.addProfiler("gc");
            }
            if (flame) {
                Path flames = runDir.resolve(suite.id);
                Files.createDirectories(flames);
                b.addProfiler("async", "libPath=" + asyncProfilerLibrary(root) + ";output=flamegraph;dir=" + flames);
            }
            JsonObject record = new JsonObject();
            record.addProperty("startedAt", Instant.now().toString());
            record.addProperty("loadAverageAtStart", loadAverage());
            Collection<RunResult> results = new Runner(b.build()).run();
            record.addProperty("finishedAt", Instant.now().toString());
            record.addProperty("loadAverageAtFinish", loadAverage());
            record.addProperty("benchmarks", results.size());
            record.add("runnerArguments", GSON.toJsonTree(Arrays.asList(args)));
            record.addProperty("quick", quick);
            if (gcByDefault) {
                record.addProperty("profilerAddedByRunner", "gc");
            }
            record.addProperty("flameGraphs", flame);
            record.addProperty("include", suite.include);
            if (filter != null) {
                record.addProperty("filter", filter);
            }
            if (!results.isEmpty()) {
                var p = results.iterator().next().getParams();
                JsonObject jmh = new JsonObject();
                jmh.addProperty("forks", p.getForks());
                jmh.addProperty("warmupIterations", p.getWarmup().getCount());
                jmh.addProperty("warmupTime", p.getWarmup().getTime().toString());
                jmh.addProperty("measurementIterations", p.getMeasurement().getCount());
                jmh.addProperty("measurementTime", p.getMeasurement().getTime().toString());
                jmh.add("jvmArgs", GSON.toJsonTree(p.getJvmArgs()));
                jmh.addProperty("jvm", p.getJvm());
                jmh.addProperty("note", "settings of the first benchmark; each result in " + suite.id
                        + ".json carries its own (threads, mode, iterations)");
                record.add("jmh", jmh);
            }
            env.getAsJsonObject("suites").add(suite.id, record);
            Files.writeString(runDir.resolve("environment.json"), GSON.toJson(env) + "\n");
        }
        if (!flame) {
            List<Suite> present = SummaryWriter.write(runDir);
            if (indexed) {
                Indexes.recordResults(root, runName, present, env);
            }
            System.out.println("results: " + runDir.resolve("summary.md"));
        } else if (indexed) {
            Indexes.recordProfiles(root, runName, chosen);
            System.out.println("flame graphs: " + runDir);
        }
        return runDir;
    }

    /** The system's one-minute load average: on a shared machine, how much else was running. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** One fork and one 100 ms warmup and measurement iteration, where the JMH options set nothing else. */
    private static void quick(ChainedOptionsBuilder b, CommandLineOptions cli) {
        if (!cli.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            b.warmupIterations(1);
        }
        if (!cli.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.milliseconds(100));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            b.measurementIterations(1);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.milliseconds(100));
        }
    }

    /** The run's environment, merged into an existing environment.json of the same run. */
    private static JsonObject environment(Path runDir, Git git, String runName) throws IOException {
        Path file = runDir.resolve("environment.json");
        JsonObject env = new JsonObject();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                env = JsonParser.parseReader(in).getAsJsonObject();
            }
        }
        env.addProperty("run", runName);
        env.addProperty("gitSha", git.sha);
        env.addProperty("gitShortSha", git.shortSha);
        env.addProperty("gitBranch", git.branch);
        env.addProperty("gitDirty", git.dirty);
        env.addProperty("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")");
        env.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        env.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        env.addProperty("hostJvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        env.addProperty("jmhVersion", Version.getPlainVersion());
        JsonObject components = new JsonObject();
        components.addProperty("storeOptionsDefault", StoreOptions.defaults().toString());
        components.addProperty("storeOptionsBaseline", StoreOptions.baseline().toString());
        components.addProperty("rocksEngineOptions", RocksEngineOptions.defaults().toString());
        components.addProperty("rocksdbjni", packageVersion("org.rocksdb.RocksDB"));
        components.addProperty("proposerWaitMillis", 60_000);
        components.addProperty("jraft", "not involved: micro benchmarks stop at the proposal sink and the MVCC store");
        env.add("components", components);
        if (!env.has("suites")) {
            env.add("suites", new JsonObject());
        }
        return env;
    }

    private static String packageVersion(String className) {
        try {
            Package p = Class.forName(className).getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            return v == null ? "see the parent pom (rocksdb.version)" : v;
        } catch (ClassNotFoundException e) {
            return "absent";
        }
    }

    /** Copies async-profiler's native library for this platform out of its jar, for JMH's -prof async. */
    private static Path asyncProfilerLibrary(Path root) throws IOException {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String platform = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "macos"
                : arch.contains("aarch64") || arch.contains("arm64") ? "linux-arm64" : "linux-x64";
        String resource = platform + "/libasyncProfiler.so";
        try (InputStream in = MicroBench.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("async-profiler's " + resource + " is not on the classpath");
            }
            Path dir = root.resolve("bench-micro/target/async-profiler");
            Files.createDirectories(dir);
            Path lib = dir.resolve("libasyncProfiler.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            return lib;
        }
    }

    /** The commit the run measures. */
    record Git(String sha, String shortSha, String branch, boolean dirty) {
        static Git at(Path root) throws IOException {
            return new Git(git(root, "rev-parse", "HEAD"), git(root, "rev-parse", "--short", "HEAD"),
                    git(root, "rev-parse", "--abbrev-ref", "HEAD"),
                    // results/ and profiles/ are the harness's own output, written by earlier suites of the same run
                    !git(root, "status", "--porcelain", "--", ".", ":!results", ":!profiles").isEmpty());
        }

        private static String git(Path root, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add("git");
            command.addAll(Arrays.asList(args));
            Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
            try {
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return "unknown";
                }
                return text;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running git", e);
            }
        }
    }
}
