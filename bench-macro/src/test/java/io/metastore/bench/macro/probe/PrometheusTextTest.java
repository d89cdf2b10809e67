package io.metastore.bench.macro.probe;

import io.metastore.bench.macro.subject.Member;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {
    private static final String BEFORE = """
            # HELP metastore_write_stage_duration_seconds Time a write spends in each stage.
            # TYPE metastore_write_stage_duration_seconds histogram
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="0.001"} 1
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="0.01"} 2
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="+Inf"} 2
            metastore_write_stage_duration_seconds_sum{role="leader",stage="commit"} 0.004
            metastore_write_stage_duration_seconds_count{role="leader",stage="commit"} 2
            grpc_server_handled_total{grpc_code="OK",grpc_method="Put"} 7
            """;

    private static final String AFTER = """
            # TYPE metastore_write_stage_duration_seconds histogram
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="0.001"} 3
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="0.01"} 10
            metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="+Inf"} 12
            metastore_write_stage_duration_seconds_sum{role="leader",stage="commit"} 0.104
            metastore_write_stage_duration_seconds_count{role="leader",stage="commit"} 12
            metastore_read_stage_duration_seconds_bucket{stage="read_index",role="follower",le="1.0E-4"} 0 1700000000000
            metastore_read_stage_duration_seconds_bucket{stage="read_index",role="follower",le="+Inf"} 0 1700000000000
            metastore_read_stage_duration_seconds_sum{stage="read_index",role="follower"} 0.0
            metastore_read_stage_duration_seconds_count{stage="read_index",role="follower"} 0
            etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 4
            etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"} 8
            etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 8
            etcd_disk_wal_fsync_duration_seconds_sum 0.02
            etcd_disk_wal_fsync_duration_seconds_count 8
            not a sample line {
            """;

    @Test
    void readsHistogramSeriesByLabelsWithoutLe() {
        var families = PrometheusText.histograms(AFTER, CellProbe.FAMILIES);
        Histogram commit = families.get(CellProbe.WRITE).get(Map.of("role", "leader", "stage", "commit"));
        assertEquals(Map.of(0.001, 3.0, 0.01, 10.0, Double.POSITIVE_INFINITY, 12.0), commit.buckets());
        assertEquals(0.104, commit.sum(), 1e-12);
        assertEquals(12, commit.count());
        // a timestamp after the value, and labels in another order, are read too
        assertEquals(0, families.get(CellProbe.READ).get(Map.of("role", "follower", "stage", "read_index")).count());
        assertEquals(8, families.get(CellProbe.FSYNC).get(Map.of()).count());
    }

    @Test
    void textWithoutTheFamiliesHasNoSeries() {
        assertTrue(PrometheusText.histograms("", CellProbe.FAMILIES).isEmpty());
        assertTrue(PrometheusText.histograms("grpc_server_started_total 3\n", CellProbe.FAMILIES).isEmpty());
    }

    @Test
    void quantilesInterpolateLinearlyInsideTheBucketAsHistogramQuantileDoes() {
        Histogram h = PrometheusText.histograms(AFTER, CellProbe.FAMILIES).get(CellProbe.WRITE)
                .get(Map.of("role", "leader", "stage", "commit"))
                .minus(PrometheusText.histograms(BEFORE, CellProbe.FAMILIES).get(CellProbe.WRITE)
                        .get(Map.of("role", "leader", "stage", "commit")));
        // delta: le=0.001: 2, le=0.01: 8, +Inf: 10; sum 0.1
        assertEquals(10, h.count());
        assertEquals(0.01, h.mean(), 1e-12);
        // rank 5 lies in (0.001, 0.01], which holds 6 above the 2 below it: 0.001 + 0.009 * 3/6
        assertEquals(0.0055, h.quantile(0.5), 1e-12);
        // rank 1 in the first bucket, whose lower bound is 0: 0.001 * 1/2
        assertEquals(0.0005, h.quantile(0.1), 1e-12);
        // rank 9.9 is in +Inf: the highest finite bound
        assertEquals(0.01, h.quantile(0.99), 1e-12);
        assertTrue(Double.isNaN(Histogram.EMPTY.quantile(0.5)));
    }

    @Test
    void breakdownHasOneRowPerSeriesThatSawObservationsInTheWindow() {
        Member m = new Member("m2", "127.0.0.1", 1, false, OptionalLong.empty());
        List<StageRow> rows = CellProbe.breakdown(m, BEFORE, AFTER);
        assertEquals(2, rows.size(), rows.toString());
        StageRow commit = rows.get(0);
        assertEquals(new StageRow("m2", "follower", "write", "leader", "commit", 10, 10.0, 5.5, 10.0).toString(),
                new StageRow(commit.member(), commit.memberRole(), commit.metric(), commit.role(), commit.stage(),
                        commit.count(), round(commit.meanMs()), round(commit.p50Ms()), round(commit.p99Ms())).toString());
        StageRow fsync = rows.get(1);
        assertEquals("wal_fsync", fsync.metric());
        assertEquals("fsync", fsync.stage());
        assertEquals(8, fsync.count()); // absent before: everything is in the window
        assertEquals(2.0, fsync.p50Ms(), 1e-9);
        assertTrue(CellProbe.breakdown(m, "", "").isEmpty());
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
