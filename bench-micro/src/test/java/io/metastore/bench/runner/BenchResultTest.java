package io.metastore.bench.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchResultTest {

    /** JMH's JSON for a sample-mode result: no rawData, a histogram of [time, count] per iteration. */
    private static final String SAMPLED = """
            [{"benchmark": "io.metastore.bench.ProposalHandoffBenchmark.proposeAndAwaitLatency", "mode": "sample",
              "threads": 1, "forks": 1, "warmupIterations": 1, "warmupTime": "1 s", "measurementIterations": 2,
              "measurementTime": "1 s", "params": {"strategy": "unbuffered"},
              "primaryMetric": {"score": 17.5, "scoreError": 4.0, "scoreUnit": "us/op",
                "scorePercentiles": {"0.0": 10.0, "50.0": 10.0, "99.0": 40.0, "99.9": 40.0, "100.0": 40.0},
                "rawDataHistogram": [[[[10.0, 3], [40.0, 1]], [[10.0, 1], [20.0, 1]]]]},
              "secondaryMetrics": {}}]
            """;

    @Test
    void sampledResultTakesEachIterationsMeanFromItsHistogramAndKeepsThePercentiles(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("handoff.json");
        Files.writeString(json, SAMPLED);

        List<BenchResult> results = BenchResult.read(json);

        assertEquals(1, results.size());
        BenchResult r = results.get(0);
        assertTrue(r.sampled());
        // iteration 1: (3 x 10 + 40) / 4 = 17.5; iteration 2: (10 + 20) / 2 = 15
        assertArrayEquals(new double[] {17.5, 15.0}, r.primary().raw(), 1e-9);
        assertEquals(40.0, r.primary().percentiles().get("99.0"));
        assertEquals("10.0 / 40.0 / 40.0 us/op", SummaryWriter.percentiles(r));
    }
}
