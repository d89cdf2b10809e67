package io.metastore.bench.macro;

import io.metastore.bench.macro.load.Workload;
import io.metastore.bench.macro.subject.MetaStoreSubject;
import io.metastore.bench.macro.subject.Subject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code environment.json} records, so a figure can be traced to the machine, the code
 * and every setting that produced it: JDK, cores, OS, CPU, git sha, the harness settings, each
 * subject's flags and the server's own start-up line (every switch, jraft's batching).
 */
final class Environment {
    private Environment() {
    }

    static Map<String, Object> collect(BenchOptions o, String runName, String sha, boolean dirty, Instant started,
                                       Instant finished, String loadAtStart, List<Subject> subjects, List<Workload> workloads,
                                       Map<String, String> startupLines, String profiler, List<String> profileErrors,
                                       long cpuTicks) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("run", runName);
        env.put("startedAt", started.toString());
        env.put("finishedAt", finished.toString());
        env.put("command", "java -jar bench-macro/target/metastore-bench-macro.jar " + String.join(" ", o.args()));
        env.put("loadAverageAtStart", loadAtStart);
        env.put("loadAverageAtEnd", loadAverage());
        env.put("gitSha", sha);
        env.put("gitDirty", dirty);
        env.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + osRelease());
        env.put("cpuModel", firstMatching(Path.of("/proc/cpuinfo"), "model name"));
        env.put("memTotal", firstMatching(Path.of("/proc/meminfo"), "MemTotal"));
        env.put("etcdVersion", o.etcd() ? firstLine(o.etcdBinary(), "--version") : "not run");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("durationMs", o.duration().toMillis());
        settings.put("warmupMs", o.warmup().toMillis());
        settings.put("repetitions", o.repetitions());
        settings.put("nodes", o.nodes());
        settings.put("clusterLoad", o.clusterLoad().stream().map(t -> t.label()).toList());
        settings.put("cpuClockTicksPerSecond", cpuTicks);
        settings.put("inflightPerClient", o.inflight());
        settings.put("keySpace", o.keySpace());
        settings.put("keyBytes", 8);
        settings.put("valueBytes", o.valueBytes());
        settings.put("compactionRevisions", o.compactionRevisions());
        settings.put("compactionKeys", o.compactionKeys());
        settings.put("quick", o.quick());
        settings.put("profileWindowMs", o.profileWindow().toMillis());
        env.put("settings", settings);
        env.put("profiler", profiler);
        if (!profileErrors.isEmpty()) {
            env.put("profilerErrors", profileErrors);
        }
        List<Map<String, Object>> subs = new ArrayList<>();
        for (Subject s : subjects) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("kind", s.kind());
            m.put("config", s.config());
            m.put("storage", s.storage());
            m.put("nodes", s.nodes());
            if (s instanceof MetaStoreSubject ms) {
                m.put("serverFlags", ms.spec().flags());
                m.put("serverJvmOptions", ms.jvmOptions());
                m.put("serverJar", ms.jar().toString());
                m.put("serverRuntime", ms.runtime().name());
                m.put("serverJava", ms.runtime().java().toString());
                if (ms.runtime().aot()) {
                    m.put("aotTraining", "a training run of " + o.aotTraining().toSeconds()
                            + " s over the run's workloads (compaction excepted) before the first cell");
                }
            }
            m.put("startupLine", startupLines.getOrDefault(s.id(), ""));
            subs.add(m);
        }
        env.put("subjects", subs);
        List<Map<String, Object>> ws = new ArrayList<>();
        for (Workload w : workloads) {
            ws.add(Map.of("name", w.name(), "clients", w.clients(), "connections", w.connections(),
                    "description", w.describe()));
        }
        env.put("workloads", ws);
        return env;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "" where there is none. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String osRelease() {
        String pretty = firstMatching(Path.of("/etc/os-release"), "PRETTY_NAME");
        return pretty.isEmpty() ? "" : " (" + pretty.replace("\"", "") + ")";
    }

    private static String firstMatching(Path file, String prefix) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(l.indexOf(l.contains(":") ? ':' : '=') + 1).trim()).orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return text.lines().findFirst().orElse("").replace("etcd Version: ", "");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
