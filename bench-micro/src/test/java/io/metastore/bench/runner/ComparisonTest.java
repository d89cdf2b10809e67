package io.metastore.bench.runner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {

    private static BenchResult result(String benchmark, String mode, Map<String, String> params, double score,
                                      double error) {
        return new BenchResult(benchmark, mode, 1, params, new BenchResult.Metric(score, error, "ns/op"), Map.of(),
                "forks 1");
    }

    @Test
    void timeModesCountAFasterAlternativeAsSpeedUpAboveOne() {
        List<Comparison.Row> rows = Comparison.rows(Suite.CODEC, List.of(
                result("CodecEncodeBenchmark.encode", "avgt", Map.of("codec", "json", "shape", "put64"), 1000, 100),
                result("CodecEncodeBenchmark.encode", "avgt", Map.of("codec", "kryo", "shape", "put64"), 100, 10)));

        assertTrue(rows.get(0).isReference());
        Comparison.Row kryo = rows.get(1);
        assertEquals(10.0, kryo.speedup(), 1e-9);
        assertEquals("consistent", kryo.claim().verdict(kryo.low(), kryo.high()));
    }

    @Test
    void speedUpIsTheMedianOfEveryIterationPairAndItsRange() {
        BenchResult json = new BenchResult("CodecEncodeBenchmark.encode", "avgt", 1,
                Map.of("codec", "json", "shape", "txn"),
                new BenchResult.Metric(170, 2000, "ns/op", new double[] {100, 110, 300}), Map.of(), "forks 1");
        BenchResult kryo = new BenchResult("CodecEncodeBenchmark.encode", "avgt", 1,
                Map.of("codec", "kryo", "shape", "txn"),
                new BenchResult.Metric(11, 3, "ns/op", new double[] {10, 11, 12}), Map.of(), "forks 1");

        Comparison.Row row = Comparison.rows(Suite.CODEC, List.of(json, kryo)).get(1);

        assertEquals(9, row.ratios().size());
        assertEquals(10.0, row.speedup(), 1e-9);
        assertEquals(100.0 / 12, row.low(), 1e-9);
        assertEquals(30.0, row.high(), 1e-9);
        assertEquals("consistent", row.claim().verdict(row.low(), row.high()));
        assertEquals("10.00x (8.33x to 30.00x)", SummaryWriter.ratio(row));
    }

    @Test
    void throughputModeDividesAlternativeByReference() {
        List<Comparison.Row> rows = Comparison.rows(Suite.HANDOFF, List.of(
                result("ProposalHandoffBenchmark.handOff", "thrpt", Map.of("strategy", "unbuffered"), 100, 0),
                result("ProposalHandoffBenchmark.handOff", "thrpt", Map.of("strategy", "buffered:1000"), 150, 0)));

        assertEquals(1.5, rows.get(1).speedup(), 1e-9);
        assertEquals("below the claim", rows.get(1).claim().verdict(rows.get(1).low(), rows.get(1).high()));
    }

    @Test
    void pooledBuffersAreComparedWithBinaryEncodingNotTheBaseline() {
        List<Comparison.Row> rows = Comparison.rows(Suite.OPTIONS, List.of(
                result("StoreOptionsBenchmark.put", "avgt", Map.of("config", "baseline", "engine", "rocksdb"), 400, 0),
                result("StoreOptionsBenchmark.put", "avgt", Map.of("config", "binaryEncoding", "engine", "rocksdb"), 200, 0),
                result("StoreOptionsBenchmark.put", "avgt", Map.of("config", "pooledBuffers", "engine", "rocksdb"), 100, 0)));

        assertEquals("binaryEncoding", rows.get(2).referenceValue());
        assertEquals(2.0, rows.get(2).speedup(), 1e-9);
    }

    @Test
    void aBenchmarkWithoutTheAxisHasNoReference() {
        List<Comparison.Row> rows = Comparison.rows(Suite.CODEC, List.of(
                result("CodecDecodeBenchmark.decodeLegacyKryoBody", "avgt", Map.of("shape", "txn"), 500, 5)));

        assertNull(rows.get(0).value());
        assertTrue(Double.isNaN(rows.get(0).speedup()));
    }
}
