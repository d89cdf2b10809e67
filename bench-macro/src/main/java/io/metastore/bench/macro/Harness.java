package io.metastore.bench.macro;

import io.metastore.bench.macro.load.Keys;
import io.metastore.bench.macro.load.Measurement;
import io.metastore.bench.macro.load.ProfileWindow;
import io.metastore.bench.macro.load.Workload;
import io.metastore.bench.macro.load.WorkloadContext;
import io.metastore.bench.macro.probe.CellProbe;
import io.metastore.bench.macro.probe.ProcCpu;
import io.metastore.bench.macro.profile.AsyncProfiler;
import io.metastore.bench.macro.report.Aggregate;
import io.metastore.bench.macro.report.BreakdownWriter;
import io.metastore.bench.macro.report.CellResult;
import io.metastore.bench.macro.report.HtmlReport;
import io.metastore.bench.macro.report.IdleWriter;
import io.metastore.bench.macro.report.RunWriter;
import io.metastore.bench.macro.report.SummaryWriter;
import io.metastore.bench.macro.report.WarmupWriter;
import io.metastore.bench.macro.subject.Endpoint;
import io.metastore.bench.macro.subject.EtcdSubject;
import io.metastore.bench.macro.subject.ExternalSubject;
import io.metastore.bench.macro.subject.LoadTo;
import io.metastore.bench.macro.subject.Member;
import io.metastore.bench.macro.subject.MetaStoreSubject;
import io.metastore.bench.macro.subject.ServerRuntime;
import io.metastore.bench.macro.subject.ServerSpec;
import io.metastore.bench.macro.subject.Subject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the matrix: for each repetition, for each workload, every subject once — the subjects'
 * order rotated by one per repetition, so no configuration always runs first — each cell on a
 * fresh server process whose data dir is deleted afterwards. A cluster runs a workload once per
 * destination of its load: each {@code --cluster-load} choice, or for a single-client workload
 * the leader and a follower. Then writes the run's folder.
 */
public final class Harness {
    private final BenchOptions o;
    private final PrintStream out;
    private final ProcCpu cpu = ProcCpu.detect();
    private final HttpClient metricsClient = CellProbe.httpClient();
    private List<ServerRuntime> runtimes = List.of();
    private Path runDir;

    public Harness(BenchOptions options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    /** Runs everything and returns the results folder of the run. */
    public Path run() throws Exception {
        List<Subject> subjects = subjects();
        List<Workload> workloads = o.workloads().stream()
                .map(w -> Workload.named(w, o.compactionRevisions(), o.compactionKeys())).toList();
        if (subjects.stream().anyMatch(s -> s instanceof MetaStoreSubject) && !Files.isRegularFile(o.serverJar())) {
            throw new BenchOptions.UsageException("no server jar at " + o.serverJar()
                    + "; build it with: mvn -B -pl bench-macro -am package -DskipTests");
        }
        if (o.trainAot() != null) {
            return trainOnly(subjects, workloads);
        }
        String sha = git("rev-parse", "--short", "HEAD").orElse("nogit");
        boolean dirty = git("status", "--porcelain", "--", ".", ":!results", ":!profiles").map(s -> !s.isBlank())
                .orElse(false);
        String runName = o.runName() != null ? o.runName() : LocalDate.now() + "_" + sha;
        if (o.runName() == null) {
            // A second run at the same commit on the same day gets its own folder.
            String base = runName;
            for (int n = 2; Files.exists(o.out().resolve(runName)); n++) {
                runName = base + "-" + n;
            }
        }
        runDir = o.out().resolve(runName);
        Path profDir = o.profilesOut().resolve(runName);
        RunWriter writer = new RunWriter(runDir);

        StringBuilder whyNoProfiler = new StringBuilder();
        Optional<AsyncProfiler> profiler = o.profile() ? AsyncProfiler.locate(whyNoProfiler) : Optional.empty();
        if (!o.profile()) {
            whyNoProfiler.append("disabled with --no-profile");
        }
        Keys keys = new Keys(o.keySpace(), o.valueBytes());

        int perRepetition = 0;
        for (Workload w : workloads) {
            for (Subject s : subjects) {
                perRepetition += loadTargets(s, w).size();
            }
        }
        int total = o.repetitions() * perRepetition;
        out.printf("bench-macro: %d cells (%d repetitions x %d workloads x %d subjects, clusters once per load "
                        + "destination) -> %s%n", total, o.repetitions(), workloads.size(), subjects.size(), runDir);
        out.println("bench-macro: profiler: " + (profiler.isPresent() ? "async-profiler (repetition 1, after each "
                + "measured window)" : "none (" + whyNoProfiler + ")"));
        Path aotDir = null;
        if (subjects.stream().anyMatch(s -> s instanceof MetaStoreSubject ms && ms.runtime().aot())) {
            aotDir = Files.createTempDirectory("bench-macro-aot-");
            AotTraining training = new AotTraining(o.aotTraining(), o.inflight(), keys, out);
            for (int i = 0; i < subjects.size(); i++) {
                if (subjects.get(i) instanceof MetaStoreSubject ms && ms.runtime().aot()) {
                    subjects.set(i, training.train(ms, workloads, aotDir));
                }
            }
        }
        try {
            return run(subjects, workloads, writer, profiler, whyNoProfiler, keys, total, profDir, runName, sha, dirty);
        } finally {
            if (aotDir != null) {
                deleteTree(aotDir);
            }
        }
    }

    /** {@code --train-aot}: records the first {@code +aot} subject's cache into the given file; no cells. */
    private Path trainOnly(List<Subject> subjects, List<Workload> workloads) throws Exception {
        MetaStoreSubject first = subjects.stream().filter(s -> s instanceof MetaStoreSubject ms && ms.runtime().aot())
                .map(MetaStoreSubject.class::cast).findFirst()
                .orElseThrow(() -> new BenchOptions.UsageException("--train-aot needs an +aot runtime in --server-java "
                        + "(a JDK 25 or later, e.g. /usr/lib/jvm/temurin-25-jdk-amd64+aot)"));
        Path dir = Files.createTempDirectory("bench-macro-aot-");
        try {
            MetaStoreSubject trained = new AotTraining(o.aotTraining(), o.inflight(), new Keys(o.keySpace(),
                    o.valueBytes()), out).train(first, workloads, dir);
            Path target = o.trainAot().toAbsolutePath();
            Files.createDirectories(target.getParent());
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            Files.copy(trained.aotCache(), partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            out.println("bench-macro: wrote the AOT cache of " + first.id() + " (" + first.runtime().java() + ", JVM options "
                    + first.jvmOptions() + ") to " + target);
            return target;
        } finally {
            deleteTree(dir);
        }
    }

    private Path run(List<Subject> subjects, List<Workload> workloads, RunWriter writer,
                     Optional<AsyncProfiler> profiler, StringBuilder whyNoProfiler, Keys keys, int total, Path profDir,
                     String runName, String sha, boolean dirty) throws Exception {
        Instant started = Instant.now();
        String loadAtStart = Environment.loadAverage();
        List<CellResult> cells = new ArrayList<>();
        Map<String, String> startupLines = new LinkedHashMap<>();
        List<String> profileErrors = new ArrayList<>();
        int index = 0;
        for (int rep = 1; rep <= o.repetitions(); rep++) {
            for (Workload w : workloads) {
                for (int k = 0; k < subjects.size(); k++) {
                    Subject s = subjects.get((k + rep - 1) % subjects.size());
                    for (LoadTo to : loadTargets(s, w)) {
                        index++;
                        out.printf("[%3d/%d] %s rep %d/%d  %-10s %-28s %s", index, total, bar(index - 1, total), rep,
                                o.repetitions(), CellResult.label(w.name(), s.nodes(), to.label()), s.id(),
                                eta(started, index - 1, total));
                        out.flush();
                        CellResult c = runCell(index, rep, s, w, to, keys, profiler, profDir, startupLines,
                                profileErrors);
                        cells.add(c);
                        writer.writeCell(c);
                        out.println(" " + line(c));
                    }
                }
            }
        }
        Instant finished = Instant.now();

        Map<String, Object> env = Environment.collect(o, runName, sha, dirty, started, finished, loadAtStart, subjects,
                workloads,
                startupLines, profiler.isPresent() ? "async-profiler (tools.profiler:async-profiler)"
                        : "none: " + whyNoProfiler, profileErrors, cpu.ticksPerSecond());
        writer.writeAll(cells, env);
        Map<String, List<Aggregate>> byWorkload = Aggregate.byWorkload(cells);
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (CellResult c : cells) {
            descriptions.putIfAbsent(c.label(), c.workloadDescription() + switch (c.nodes() > 1 ? c.loadTo() : "") {
                case "all" -> "; the connections spread round-robin over every member";
                case "leader" -> "; all load to the leader";
                case "follower" -> "; all load to a follower";
                default -> "";
            });
        }
        List<String> preamble = preamble(runName, sha, dirty, env, profiler.isPresent(), whyNoProfiler.toString());
        String title = "MetaStore macro benchmark " + runName;
        StringBuilder md = new StringBuilder(SummaryWriter.render(title, preamble, byWorkload, descriptions));
        md.append(WarmupWriter.render(cells));
        md.append(IdleWriter.render(cells));
        md.append("## Server settings\n\nThe start-up line of each configuration (every switch and jraft's batching):\n\n");
        startupLines.forEach((id, l) -> md.append("- `").append(id).append("`: `")
                .append(l.isBlank() ? "(none printed)" : l).append("`\n"));
        SummaryWriter.write(runDir.resolve("summary.md"), md.toString());
        BreakdownWriter.write(runDir.resolve("breakdown.md"), title, cells);
        Map<String, List<String>> charts = HtmlReport.charts(runDir, byWorkload);
        String profilesLink = runDir.toAbsolutePath().relativize(profDir.toAbsolutePath()).toString()
                .replace('\\', '/');
        HtmlReport.index(runDir, title, preamble, byWorkload, descriptions, charts, cells, profilesLink);
        out.printf("bench-macro: done in %s; %s%n", human(Duration.between(started, finished)),
                runDir.resolve("summary.md"));
        return runDir;
    }

    private List<Subject> subjects() {
        runtimes = new ArrayList<>();
        for (String r : o.serverJava()) {
            try {
                runtimes.add(ServerRuntime.parse(r));
            } catch (IllegalArgumentException e) {
                throw new BenchOptions.UsageException(e.getMessage());
            }
        }
        List<Subject> subjects = new ArrayList<>();
        for (int nodes : o.nodes()) {
            subjects.addAll(subjects(nodes));
        }
        o.targets().forEach(t -> subjects.add(ExternalSubject.parse(t)));
        return subjects;
    }

    /** Every MetaStore configuration on every storage, then etcd, as clusters of {@code nodes} members. */
    private List<Subject> subjects(int nodes) {
        List<Subject> subjects = new ArrayList<>();
        for (String storage : o.storages()) {
            for (String c : o.configs()) {
                ServerSpec spec = ServerSpec.parse(c);
                if (storage.equals("rocksdb") && spec.onlyAffectsMemoryEngine()) {
                    out.println("bench-macro: skipping " + c + " on rocksdb: memory-locking only affects the memory engine");
                    continue;
                }
                List<String> jvm = new ArrayList<>(o.serverJvmOptions());
                if (o.profile()) {
                    // Accurate frames for async-profiler; set for every server of the run alike.
                    jvm.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
                }
                boolean runtimeInId = !o.serverJava().equals(List.of("default"));
                for (ServerRuntime runtime : runtimes) {
                    subjects.add(new MetaStoreSubject(spec, storage, nodes, o.serverJar(), jvm, runtime, runtimeInId,
                            null));
                }
            }
        }
        if (o.etcd()) {
            subjects.add(new EtcdSubject(o.etcdBinary(), nodes));
        }
        return subjects;
    }

    /**
     * Where a subject's cells of {@code w} send their load: a single node or an external target
     * has one place; a cluster runs a single-client workload through the leader and through a
     * follower, any other once per {@code --cluster-load} choice.
     */
    private List<LoadTo> loadTargets(Subject s, Workload w) {
        if (s.nodes() <= 1 || !w.sendsRequests()) {
            return List.of(LoadTo.ALL);
        }
        return w.singleClient() ? List.of(LoadTo.LEADER, LoadTo.FOLLOWER) : o.clusterLoad();
    }

    private CellResult runCell(int index, int rep, Subject s, Workload w, LoadTo to, Keys keys,
                               Optional<AsyncProfiler> profiler, Path profDir, Map<String, String> startupLines,
                               List<String> profileErrors) throws IOException {
        String startedAt = Instant.now().toString();
        String load = Environment.loadAverage();
        Path work = Files.createTempDirectory("bench-macro-" + s.id() + "-");
        String label = CellResult.label(w.name(), s.nodes(), to.label());
        String stem = s.id() + "-" + w.name() + (s.nodes() > 1 ? "-" + to.label() : "");
        Measurement m = null;
        String failure = null;
        String startup = "";
        Recording rec = null;
        CellProbe probe = null;
        List<CellResult.CellMember> members = List.of();
        long readyMs = 0;
        try (Endpoint ep = s.start(work)) {
            readyMs = ep.readyMillis();
            startup = ep.startupLine();
            startupLines.putIfAbsent(s.id(), startup);
            ProfileWindow window = ProfileWindow.NONE;
            if (profiler.isPresent() && rep == 1 && ep.jvmPid().isPresent()) {
                rec = new Recording(profiler.get(), ep.jvmPid().getAsLong(), others(ep), profDir, stem,
                        o.profileWindow(), profileErrors);
                window = rec;
            }
            List<Member> targets = to.select(ep.members());
            members = cellMembers(s, ep.members(), targets, w.connections());
            probe = new CellProbe(ep.members(), cpu, metricsClient, !(s instanceof ExternalSubject));
            List<InetSocketAddress> addresses = targets.stream()
                    .map(t -> InetSocketAddress.createUnresolved(t.host(), t.port())).toList();
            m = w.run(new WorkloadContext(addresses, o.warmup(), o.duration(), o.inflight(), keys, probe, window));
            if (m.ops() == 0 && w.sendsRequests()) {
                // Kept in the cell file, but not a figure: a server that answered nothing is a failed cell.
                failure = "no request succeeded (" + m.errors() + " errors, first: " + m.firstError() + ")";
                out.print(" FAILED: " + failure);
            }
        } catch (Exception e) {
            failure = e.toString();
            out.print(" FAILED: " + failure);
        } finally {
            if (failure != null || (m != null && m.errors() > 0)) {
                keepServerLog(work, stem + "-r" + rep);
            }
            deleteTree(work);
        }
        return new CellResult(index, rep, s.id(), s.kind(), s.config(), s.storage(), s.nodes(), w.name(), label,
                to.label(), w.describe(), w.clients(), w.connections(), members, m,
                probe == null || m == null ? null : probe.cpu(m.ops()), probe == null ? List.of() : probe.breakdown(),
                failure, rec == null ? null : rec.cpu, rec == null ? null : rec.alloc, startup, startedAt, load, readyMs);
    }

    /** Each member with its role and how many of the load's connections went to it (channel i to target i mod n). */
    private static List<CellResult.CellMember> cellMembers(Subject s, List<Member> all, List<Member> targets,
                                                           int connections) {
        List<CellResult.CellMember> out = new ArrayList<>();
        for (Member m : all) {
            int j = targets.indexOf(m);
            int n = j < 0 ? 0 : connections / targets.size() + (j < connections % targets.size() ? 1 : 0);
            out.add(new CellResult.CellMember(m.name(), s.nodes() == 0 ? "-" : m.role(), m.address(), n));
        }
        return out;
    }

    /**
     * Records async-profiler flame graphs in a server JVM: CPU then allocations, each for the
     * profile window, while the load keeps running after the measured window; or CPU around one
     * timed call. A failure is reported and recorded, never allowed to fail the cell.
     */
    private final class Recording implements ProfileWindow {
        private final AsyncProfiler profiler;
        private final long pid;
        private final Map<String, Long> others;
        private final Path dir;
        private final String stem;
        private final Duration window;
        private final List<String> errors;
        String cpu;
        String alloc;

        /**
         * {@code pid}: the JVM whose graphs the cell names (the leader's); {@code others}: the
         * other members' JVMs by file-name suffix, recorded over the same window into files of
         * their own, so a cluster's followers are seen too.
         */
        Recording(AsyncProfiler profiler, long pid, Map<String, Long> others, Path dir, String stem, Duration window,
                  List<String> errors) {
            this.profiler = profiler;
            this.pid = pid;
            this.others = others;
            this.dir = dir;
            this.stem = stem;
            this.window = window;
            this.errors = errors;
        }

        @Override
        public void whileLoaded() {
            cpu = record("cpu", () -> sleep(window));
            alloc = record("alloc", () -> sleep(window));
        }

        @Override
        public void around(Runnable call) {
            boolean[] ran = {false};
            cpu = record("cpu", () -> {
                ran[0] = true;
                call.run();
            });
            if (!ran[0]) {
                call.run();
            }
        }

        private String record(String event, Runnable during) {
            String file = stem + "-" + event + ".html";
            try {
                profiler.start(pid, event);
            } catch (Exception e) {
                errors.add(stem + " " + event + ": " + e);
                out.print(" (profiler: " + e + ")");
                return null;
            }
            List<String> started = new ArrayList<>();
            others.forEach((suffix, other) -> {
                try {
                    profiler.start(other, event);
                    started.add(suffix);
                } catch (Exception e) {
                    errors.add(stem + "-" + suffix + " " + event + ": " + e);
                }
            });
            during.run();
            for (String suffix : started) {
                try {
                    profiler.stop(others.get(suffix), dir.resolve(stem + "-" + suffix + "-" + event + ".html"));
                } catch (Exception e) {
                    errors.add(stem + "-" + suffix + " " + event + ": " + e);
                }
            }
            try {
                profiler.stop(pid, dir.resolve(file));
                return file;
            } catch (Exception e) {
                errors.add(stem + " " + event + ": " + e);
                out.print(" (profiler: " + e + ")");
                return null;
            }
        }
    }

    /** A cluster's members other than the profiled JVM, by the suffix their flame graphs carry ({@code follower-m2}). */
    private static Map<String, Long> others(Endpoint ep) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (Member m : ep.members()) {
            if (m.pid().isPresent() && m.pid().getAsLong() != ep.jvmPid().getAsLong()) {
                out.put(m.role() + "-" + m.name(), m.pid().getAsLong());
            }
        }
        return out;
    }

    /** A cell with errors keeps its servers' output beside its figures, for the post-mortem. */
    private void keepServerLog(Path work, String stem) {
        if (runDir == null) {
            return;
        }
        try (var logs = Files.newDirectoryStream(work, "server*.log")) {
            for (Path log : logs) {
                Files.copy(log, runDir.resolve("cells").resolve(stem + "." + log.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            out.print(" (cannot keep server log: " + e + ")");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> preamble(String runName, String sha, boolean dirty, Map<String, Object> env,
                                  boolean profiled, String whyNot) {
        List<String> p = new ArrayList<>();
        p.add("- Run `" + runName + "` at git `" + sha + "`" + (dirty ? " (with uncommitted changes)" : "")
                + ", command: `java -jar bench-macro/target/metastore-bench-macro.jar " + String.join(" ", o.args()) + "`");
        p.add("- Machine: " + env.get("cpuModel") + ", " + env.get("cores") + " cores, " + env.get("os") + "; JDK "
                + env.get("jdk") + "; etcd " + env.get("etcdVersion") + ". Harness and servers share the machine; "
                + "load average (1/5/15 min) " + env.get("loadAverageAtStart") + " at the start, "
                + env.get("loadAverageAtEnd") + " at the end (per cell in the cell files).");
        p.add("- Each cell starts a fresh server process (empty data dir), warms up " + human(o.warmup())
                + ", measures " + human(o.duration()) + "; " + o.repetitions() + " repetition(s), subjects interleaved "
                + "round-robin. Tables show medians over repetitions; spread = ± half the min..max range of "
                + "throughput, relative to the median.");
        if (!o.serverJava().equals(List.of("default"))) {
            StringBuilder r = new StringBuilder("- MetaStore's Java runtimes (a lab axis, named after `@` in the "
                    + "configuration): ");
            for (int i = 0; i < runtimes.size(); i++) {
                ServerRuntime rt = runtimes.get(i);
                r.append(i == 0 ? "" : "; ").append('`').append(rt.name()).append("` ").append(rt.java());
                if (rt.aot()) {
                    r.append(", started from an AOT cache (JEP 483/515) that a training run of ")
                            .append(human(o.aotTraining())).append(" over this run's workloads recorded before the "
                                    + "first cell");
                }
            }
            p.add(r.append('.').toString());
        }
        p.add("- Closed-loop clients over etcd's gRPC API (grpc-java), " + o.inflight()
                + " request(s) in flight per client; keys 8 B over a key space of " + o.keySpace() + ", values "
                + o.valueBytes() + " B. Latency from send to response, in HdrHistogram.");
        p.add("- Ratios are throughput ratios (higher is better): each MetaStore configuration against the baseline "
                + "on the same storage, and against each other target.");
        if (o.nodes().stream().anyMatch(n -> n > 1)) {
            p.add("- Clusters (`-Nn` subjects): a workload's label says where its load went: `(all)` its connections "
                    + "round-robin over every member, as an etcd client given all endpoints, `(leader)` all to the "
                    + "member whose Status says it leads; single-client workloads run once `(leader)` and once "
                    + "`(follower)`, through a member whose Status says it does not lead.");
        }
        p.add("- CPU µs/op: user+system time (from /proc, " + cpu.ticksPerSecond() + " ticks a second) over the "
                + "measured window, divided by its requests: server = all members' processes together, client = "
                + "the harness JVM. Each reading is exact to a tick, so short windows give coarse figures. The "
                + "harness shares the cores with the servers, so throughput is bounded by the client's own cost.");
        p.add(profiled ? "- Flame graphs (async-profiler, CPU then allocations, " + human(o.profileWindow())
                + " each) were recorded in repetition 1 after the measured window, with the load still running, "
                + "so they do not disturb the figures; for compaction, CPU around the Compact call."
                : "- No flame graphs: " + whyNot + ".");
        return p;
    }

    private Optional<String> git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", o.root().toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(text) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String line(CellResult c) {
        if (!c.ok()) {
            return "";
        }
        Measurement m = c.measurement();
        if (c.workload().equals(Workload.IDLE)) {
            return c.cpu() == null ? "" : String.format(Locale.ROOT, "idle: servers %.1f ms CPU per second",
                    IdleWriter.msPerSecond(c));
        }
        if (c.workload().equals("compaction")) {
            return String.format(Locale.ROOT, "compact %.1f ms (%,.0f revisions/s; writes %,.0f ops/s)", m.p50Ms(),
                    m.throughput(), ((Number) m.extra().get("writePhaseOpsPerSec")).doubleValue());
        }
        String cpuUse = c.cpu() == null || c.cpu().serverUsPerOp() == null ? ""
                : String.format(Locale.ROOT, "  cpu/op server %.0f us client %.0f us", c.cpu().serverUsPerOp(),
                c.cpu().clientUsPerOp() == null ? Double.NaN : c.cpu().clientUsPerOp());
        return String.format(Locale.ROOT, "%,10.0f ops/s  p50 %.2f ms  p99 %.2f ms  max %.1f ms%s%s", m.throughput(),
                m.p50Ms(), m.p99Ms(), m.maxMs(), cpuUse, m.errors() > 0 ? "  errors " + m.errors() : "");
    }

    /** A progress bar of the cells finished before the current one: {@code [######--------------]}. */
    static String bar(int done, int total) {
        int width = 20;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    private static String eta(Instant started, int done, int total) {
        if (done == 0) {
            return "";
        }
        long per = Duration.between(started, Instant.now()).toMillis() / done;
        return "(eta " + human(Duration.ofMillis(per * (total - done))) + ")";
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
