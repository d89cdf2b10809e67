package io.metastore.bench.macro;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real harness in its smallest form — one configuration as a single node and as a
 * three-member cluster, one short put workload, real server processes from
 * {@code server/target/metastore-server.jar} (built by the reactor's package phase before this
 * module's tests) — and checks the files a run must leave behind.
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
        int code = Main.run(new String[] {"--configs", "tier3", "--storage", "memory", "--workloads", "put-100", "--nodes", "1,3",
                "--duration", "2s", "--warmup", "1s", "--repetitions", "1", "--no-profile",
                "--root", root.toString(), "--out", tmp.resolve("results").toString(),
                "--profiles-out", tmp.resolve("profiles").toString(), "--run-name", "tiny"},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(errors, true, StandardCharsets.UTF_8));
        String out = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + errors.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("[  2/2]"), out);

        Path run = tmp.resolve("results/tiny");
        for (String f : List.of("summary.md", "environment.json", "results.csv", "results.json", "index.html",
                "cells/tier3-memory-put-100-r1.json", "cells/tier3-memory-put-100-r1.csv",
                "cells/tier3-memory-3n-put-100-r1.json",
                "charts/put-100-throughput.png", "charts/put-100-p99.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        for (String subject : List.of("tier3-memory", "tier3-memory-3n")) {
            JsonObject cell = JsonParser.parseString(Files.readString(run.resolve("cells/" + subject + "-put-100-r1.json")))
                    .getAsJsonObject();
            JsonObject m = cell.getAsJsonObject("measurement");
            assertTrue(m.get("ops").getAsLong() > 0, cell.toString());
            assertTrue(m.get("throughput").getAsDouble() > 0, cell.toString());
            assertTrue(m.get("p99Ms").getAsDouble() > 0, cell.toString());
        }

        String csv = Files.readString(run.resolve("results.csv"));
        assertEquals(3, csv.lines().count(), csv);
        String summary = Files.readString(run.resolve("summary.md"));
        assertTrue(summary.contains("| tier3-memory | tier3 | memory | 1 |"), summary);
        assertTrue(summary.contains("| tier3-memory-3n | tier3 | memory | 3 |"), summary);
        JsonObject env = JsonParser.parseString(Files.readString(run.resolve("environment.json"))).getAsJsonObject();
        assertTrue(env.getAsJsonArray("subjects").get(0).getAsJsonObject().get("startupLine").getAsString()
                .contains("proposal-strategy=batched"), env.toString());
        // The cluster's start-up line is its leader's, which lists all three peers.
        JsonObject cluster = env.getAsJsonArray("subjects").get(1).getAsJsonObject();
        assertEquals(3, cluster.get("nodes").getAsInt(), env.toString());
        assertTrue(cluster.get("startupLine").getAsString().matches(".*peers=\\[[^,\\]]+, [^,\\]]+, [^,\\]]+\\].*"),
                env.toString());
        assertTrue(Files.readString(run.resolve("index.html")).contains("charts/put-100-throughput.png"));

        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("bench-macro-tier3-memory-")),
                    "the cell's data dir was not deleted");
        }
    }
}
