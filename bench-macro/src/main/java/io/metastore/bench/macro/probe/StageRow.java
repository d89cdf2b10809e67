package io.metastore.bench.macro.probe;

/**
 * One series of a stage histogram over one measured window, on one member: {@code metric} is
 * {@code write}, {@code read} ({@code metastore_write|read_stage_duration_seconds}) or
 * {@code wal_fsync} ({@code etcd_disk_wal_fsync_duration_seconds}, which has no role or stage
 * labels: {@code -} and {@code fsync}); {@code role} and {@code stage} are the series' labels;
 * {@code memberRole} is what the member's Status said when the cell started. Times in ms;
 * p50/p99 estimated from the bucket deltas as Prometheus' {@code histogram_quantile} does.
 */
public record StageRow(String member, String memberRole, String metric, String role, String stage, long count,
                       double meanMs, double p50Ms, double p99Ms) {
}
