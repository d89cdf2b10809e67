package io.metastore.bench.macro;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real harness in its smallest form — one configuration as a single node and as a
 * three-member cluster, a short put workload (spread over every member of the cluster) and the
 * single-client linearizable read (on the cluster once through the leader, once through a
 * follower), real server processes from {@code server/target/metastore-server.jar} (built by the
 * reactor's package phase before this module's tests) — and checks the files a run must leave
 * behind, the load's destinations and the CPU figures.
 */
class HarnessEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void tinyRunWritesCellsSummaryChartsAndIndexWithNonZeroThroughput() throws Exception {
        Path root = BenchOptions.findRoot(Path.of("").toAbsolutePath());
        Path jar = root.resolve("server/target/metastore-server.jar");
        assertTrue(Files.isRegularFile(jar), "server jar missing: " + jar + " (build with -am)");

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        java.util.Set<Path> before = tmpDirs("bench-macro-tier3-memory-");
        int code = Main.run(new String[] {"--configs", "tier3", "--storage", "memory", "--workloads", "put-100,range-lin-1,idle",
                "--nodes", "1,3", "--duration", "2s", "--warmup", "1s", "--keys", "100", "--repetitions", "1", "--no-profile",
                "--root", root.toString(), "--out", tmp.resolve("results").toString(),
                "--profiles-out", tmp.resolve("profiles").toString(), "--run-name", "tiny"},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(errors, true, StandardCharsets.UTF_8));
        String out = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + errors.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("[  7/7]"), out);

        Path run = tmp.resolve("results/tiny");
        List<String> stems = List.of("tier3-memory-put-100-r1", "tier3-memory-3n-put-100-all-r1",
                "tier3-memory-range-lin-1-r1", "tier3-memory-3n-range-lin-1-leader-r1",
                "tier3-memory-3n-range-lin-1-follower-r1");
        for (String f : List.of("summary.md", "breakdown.md", "environment.json", "results.csv", "results.json",
                "index.html", "cells/tier3-memory-put-100-r1.csv", "charts/put-100-throughput.png",
                "charts/put-100-p99.png", "charts/put-100-all-throughput.png",
                "charts/range-lin-1-follower-p99.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        for (String stem : stems) {
            JsonObject cell = JsonParser.parseString(Files.readString(run.resolve("cells/" + stem + ".json")))
                    .getAsJsonObject();
            assertFalse(cell.has("failure"), cell.toString());
            JsonObject m = cell.getAsJsonObject("measurement");
            assertTrue(m.get("ops").getAsLong() > 0, cell.toString());
            assertTrue(m.get("throughput").getAsDouble() > 0, cell.toString());
            assertTrue(m.get("p99Ms").getAsDouble() > 0, cell.toString());
            // the time line of 1 s warm-up + 2 s window, and how long the servers took to answer
            assertTrue(m.getAsJsonObject("extra").getAsJsonArray("opsPerSecond").size() >= 2, cell.toString());
            assertTrue(cell.get("readyMs").getAsLong() > 0, cell.toString());
            // CPU over exactly the measured window: every member's process and the harness itself
            JsonObject cpu = cell.getAsJsonObject("cpu");
            assertTrue(cpu.get("serverUsPerOp").getAsDouble() > 0, cell.toString());
            assertTrue(cpu.get("clientUsPerOp").getAsDouble() > 0, cell.toString());
            assertEquals(cell.get("nodes").getAsInt(), cpu.getAsJsonObject("memberUsPerOp").size(), cell.toString());
        }

        // put-100 on the cluster: its 10 connections spread round-robin over all three members
        JsonObject spread = JsonParser.parseString(Files.readString(run.resolve("cells/" + stems.get(1) + ".json")))
                .getAsJsonObject();
        assertEquals("all", spread.get("loadTo").getAsString());
        assertEquals("put-100 (all)", spread.get("label").getAsString());
        List<JsonObject> members = members(spread);
        assertEquals(List.of(4, 3, 3), members.stream().map(j -> j.get("connections").getAsInt()).toList());
        assertEquals(1, members.stream().filter(j -> j.get("role").getAsString().equals("leader")).count());
        // range-lin-1 through the follower: its one connection on a member that does not lead
        JsonObject follower = JsonParser.parseString(Files.readString(run.resolve("cells/" + stems.get(4) + ".json")))
                .getAsJsonObject();
        assertEquals("follower", follower.get("loadTo").getAsString());
        assertEquals(List.of("follower"), members(follower).stream().filter(j -> j.get("connections").getAsInt() == 1)
                .map(j -> j.get("role").getAsString()).toList());

        // idle: no request, not a failure; every member's CPU over the window, on a cluster one cell
        for (String stem : List.of("tier3-memory-idle-r1", "tier3-memory-3n-idle-all-r1")) {
            JsonObject idle = JsonParser.parseString(Files.readString(run.resolve("cells/" + stem + ".json")))
                    .getAsJsonObject();
            assertFalse(idle.has("failure"), idle.toString());
            assertEquals(0, idle.getAsJsonObject("measurement").get("ops").getAsLong(), idle.toString());
            JsonObject seconds = idle.getAsJsonObject("cpu").getAsJsonObject("memberSeconds");
            assertEquals(idle.get("nodes").getAsInt(), seconds.size(), idle.toString());
        }
        assertFalse(Files.exists(run.resolve("cells/tier3-memory-3n-idle-leader-r1.json")));

        String csv = Files.readString(run.resolve("results.csv"));
        assertEquals(8, csv.lines().count(), csv);
        assertTrue(csv.lines().findFirst().orElseThrow().endsWith(
                "label,load_to,server_cpu_us_per_op,client_cpu_us_per_op,member_cpu_us_per_op"), csv);
        String summary = Files.readString(run.resolve("summary.md"));
        assertTrue(summary.contains("| tier3-memory | tier3 | memory | 1 |"), summary);
        assertTrue(summary.contains("| tier3-memory-3n | tier3 | memory | 3 |"), summary);
        for (String section : List.of("## put-100\n", "## put-100 (all)\n", "## range-lin-1\n",
                "## range-lin-1 (leader)\n", "## range-lin-1 (follower)\n", "server CPU µs/op",
                "## Start-up and warm-up", "| put-100 (all) | tier3-memory-3n |", "## Idle\n",
                "| tier3-memory | m1 ", "| tier3-memory-3n | leader ")) {
            assertTrue(summary.contains(section), section + " in " + summary);
        }
        // the idle cells are no row of the request tables
        assertFalse(summary.contains("## idle"), summary);
        JsonObject env = JsonParser.parseString(Files.readString(run.resolve("environment.json"))).getAsJsonObject();
        assertTrue(env.getAsJsonArray("subjects").get(0).getAsJsonObject().get("startupLine").getAsString()
                .contains("proposal-strategy=batched"), env.toString());
        // The cluster's start-up line is its leader's, which lists all three peers.
        JsonObject cluster = env.getAsJsonArray("subjects").get(1).getAsJsonObject();
        assertEquals(3, cluster.get("nodes").getAsInt(), env.toString());
        assertTrue(cluster.get("startupLine").getAsString().matches(".*peers=\\[[^,\\]]+, [^,\\]]+, [^,\\]]+\\].*"),
                env.toString());
        String index = Files.readString(run.resolve("index.html"));
        assertTrue(index.contains("charts/put-100-throughput.png"), index);
        assertTrue(index.contains("server CPU µs/op"), index);

        assertEquals(before, tmpDirs("bench-macro-tier3-memory-"), "the cell's data dir was not deleted");
    }

    /** The entries of the temporary directory named {@code prefix}...: other runs on the machine may hold some. */
    static java.util.Set<Path> tmpDirs(String prefix) throws java.io.IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * An {@code +aot} runtime: the harness trains a cache first, then starts the cell from it. Runs
     * where a JDK 25 or later is installed under /usr/lib/jvm (as on the project's machines).
     */
    @Test
    void anAotRuntimeIsTrainedBeforeItsCellsAndNamedInTheirIds() throws Exception {
        Optional<Path> jdk = jdk25();
        Assumptions.assumeTrue(jdk.isPresent(), "no JDK 25 under /usr/lib/jvm");
        java.util.Set<Path> before = tmpDirs("bench-macro-aot-");
        Path root = BenchOptions.findRoot(Path.of("").toAbsolutePath());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--configs", "tier3", "--storage", "memory", "--workloads", "put-100",
                "--duration", "1s", "--warmup", "1s", "--keys", "100", "--repetitions", "1", "--no-profile",
                "--server-java", jdk.get() + "+aot", "--aot-training", "2s",
                "--root", root.toString(), "--out", tmp.resolve("results").toString(),
                "--profiles-out", tmp.resolve("profiles").toString(), "--run-name", "aot"},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8));
        String out = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("trained the AOT cache of tier3-memory-jdk"), out);
        Path run = tmp.resolve("results/aot");
        try (Stream<Path> cells = Files.list(run.resolve("cells"))) {
            Path cell = cells.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            assertTrue(cell.getFileName().toString().matches("tier3-memory-jdk\\d+-aot-put-100-r1.json"), cell.toString());
            JsonObject c = JsonParser.parseString(Files.readString(cell)).getAsJsonObject();
            assertFalse(c.has("failure"), c.toString());
            assertTrue(c.getAsJsonObject("measurement").get("ops").getAsLong() > 0, c.toString());
        }
        JsonObject subject = JsonParser.parseString(Files.readString(run.resolve("environment.json"))).getAsJsonObject()
                .getAsJsonArray("subjects").get(0).getAsJsonObject();
        assertTrue(subject.get("serverRuntime").getAsString().endsWith("-aot"), subject.toString());
        assertEquals(before, tmpDirs("bench-macro-aot-"), "the AOT caches were not deleted");
    }

    private static Optional<Path> jdk25() throws java.io.IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> h.getFileName().toString().matches("(temurin-|java-|jdk-?)?2[5-9].*"))
                    .filter(h -> Files.isExecutable(h.resolve("bin/java"))).sorted().findFirst();
        }
    }

    private static List<JsonObject> members(JsonObject cell) {
        List<JsonObject> out = new ArrayList<>();
        cell.getAsJsonArray("members").forEach(e -> out.add(e.getAsJsonObject()));
        return out;
    }
}
