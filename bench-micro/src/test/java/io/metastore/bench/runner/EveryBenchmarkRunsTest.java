package io.metastore.bench.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark of every suite once, briefly, through the same runner the documented
 * command uses, and checks each produced a result and the summary covers each suite. It proves
 * the benchmarks run; it never judges speed.
 *
 * <p>The benchmarks run inside this JVM ({@code -f 0}): a fork per parameter combination would
 * cost more than the whole budget of this test. The command line's quick mode forks once per
 * combination, as real runs do.
 */
class EveryBenchmarkRunsTest {

    /** Parameter combinations per suite: the product of each benchmark's @Param axes and classes. */
    private static final Map<Suite, Integer> EXPECTED = Map.of(
            Suite.CODEC, 4 * 3 * 6 + 2 * 6,     // encode, decode, decodeWithCodec, roundTrip x codec x shape; legacy x shape
            Suite.HANDOFF, 3 * 3 * 4,           // 1, 4, 16 producers x three methods x strategy
            Suite.STORE, 2 * 5 * 3,             // single and contended x five operations x engine
            Suite.COMPACTION, 3 * 3,            // engine x revisions
            Suite.OPTIONS, 2 * 6 * 2,           // put, rangeKey x config x engine
            Suite.LEASE, 2 * 3,                 // strategy x leases
            Suite.METRICS, 2 * 5);              // single and contended x record

    @Test
    void everyBenchmarkRunsInQuickModeAndTheSummaryCoversEverySuite(@TempDir Path out) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path run = MicroBench.run("--root", root.toString(), "--out", out.toString(), "all", "--quick",
                "-f", "0", "-w", "50ms", "-r", "50ms", "-foe", "true", "-v", "SILENT");

        for (Suite suite : Suite.values()) {
            Path json = run.resolve(suite.id + ".json");
            assertTrue(Files.exists(json), json + " written");
            assertEquals(EXPECTED.get(suite), BenchResult.read(json).size(), suite.id + " results");
        }
        String summary = Files.readString(run.resolve("summary.md"));
        for (Suite suite : Suite.values()) {
            assertTrue(summary.contains("(`" + suite.id + "`)"), "summary has a section for " + suite.id);
            assertTrue(Files.exists(run.resolve(suite.id + ".png")), suite.id + " chart written");
        }
        assertTrue(summary.contains("100x faster lease expiry"), "summary weighs the lease claim");
        for (BenchResult r : BenchResult.read(run.resolve("codec.json"))) {
            assertTrue(r.secondary("bytesPerEntry") != null, r.benchmark() + " reports bytes per entry");
            assertTrue(r.secondary("gc.alloc.rate.norm") != null, r.benchmark() + " reports allocation per entry");
        }
        List<BenchResult> latency = BenchResult.read(run.resolve("handoff.json")).stream()
                .filter(r -> r.method().equals("proposeAndAwaitLatency")).toList();
        assertEquals(3 * 4, latency.size(), "latency sampled per producer count and strategy");
        for (BenchResult r : latency) {
            assertTrue(r.sampled() && r.primary().percentiles().containsKey("99.0"), r + " has percentiles");
        }
        assertTrue(summary.contains("p50 / p99 / p99.9"), "summary shows the hand-off latency percentiles");
        assertTrue(Files.exists(run.resolve("environment.json")));
    }
}
