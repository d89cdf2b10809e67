package io.metastore.server.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * One member's metrics: a registry of its own (never the library's static default one, since
 * one JVM hosts several members in tests and benchmarks), the counters and histograms the
 * components record into, gauges read from the components at scrape time, and
 * {@link #writeText} for {@code /metrics}.
 *
 * <p>Names follow etcd 3.4 where the meaning matches (checked against a running etcd 3.4's
 * {@code /metrics}, including the type: etcd exports {@code etcd_server_proposals_committed_total}
 * and {@code etcd_debugging_mvcc_keys_total} as gauges, and so does this); MetaStore's own are
 * {@code metastore_*}. Recording is lock-free (the library's adders); nothing on a request path
 * looks a label up: labelled series are resolved once, when a component is built.
 *
 * <p>JVM and process metrics live in a second registry scraped with the first: the JVM
 * instrumentation remembers every registry it was registered with in a static set, and that
 * must not keep a stopped member's whole object graph (which the gauges' callbacks reach)
 * alive.
 */
public final class Metrics {
    /** The Prometheus text format, version 0.0.4, as {@link #writeText} writes it. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** etcd's buckets for disk latencies: 1 ms doubling to 8.192 s. */
    private static final double[] DISK_SECONDS = exponential(0.001, 2, 14);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusRegistry jvmRegistry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter leaderChanges;
    private final Counter proposalsFailed;
    private final Counter puts;
    private final Counter deletes;
    private final Counter ranges;
    private final Counter txns;
    private final Counter leasesGranted;
    private final Counter leasesRevoked;
    private final Counter leasesExpired;
    private final Histogram walFsync;
    private final Histogram backendCommit;
    private final Histogram batchSize;
    private final Histogram entryBytes;
    private final Counter receivedBytes;
    private final Counter sentBytes;
    private final GrpcMetrics grpc;
    private final Stages stages;
    private final Counter commitHints;
    private final Histogram forwardBatchSize;

    public Metrics() {
        leaderChanges = counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.");
        proposalsFailed = counter("etcd_server_proposals_failed_total", "The total number of failed proposals seen.");
        puts = counter("etcd_mvcc_put_total", "Total number of puts seen by this member.");
        deletes = counter("etcd_mvcc_delete_total", "Total number of deletes seen by this member.");
        ranges = counter("etcd_mvcc_range_total", "Total number of ranges seen by this member.");
        txns = counter("etcd_mvcc_txn_total", "Total number of txns seen by this member.");
        leasesGranted = counter("etcd_debugging_lease_granted_total", "The total number of granted leases.");
        leasesRevoked = counter("etcd_debugging_lease_revoked_total", "The total number of revoked leases.");
        leasesExpired = counter("etcd_debugging_server_lease_expired_total", "The total number of expired leases.");
        receivedBytes = counter("etcd_network_client_grpc_received_bytes_total",
                "The total number of bytes received from grpc clients.");
        sentBytes = counter("etcd_network_client_grpc_sent_bytes_total", "The total number of bytes sent to grpc clients.");
        walFsync = Histogram.builder().name("etcd_disk_wal_fsync_duration_seconds")
                .help("The latency distributions of Raft log appends: jraft's log storage write of a group of entries,"
                        + " fsync included when --raft-sync is on (jraft does not expose the fsync alone).")
                .classicOnly().classicUpperBounds(DISK_SECONDS).withoutExemplars().register(registry);
        backendCommit = Histogram.builder().name("etcd_disk_backend_commit_duration_seconds")
                .help("The latency distributions of commit called by backend (one storage engine write batch).")
                .classicOnly().classicUpperBounds(DISK_SECONDS).withoutExemplars().register(registry);
        batchSize = Histogram.builder().name("metastore_proposal_batch_size")
                .help("Commands per Raft entry proposed by this member.")
                .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).withoutExemplars()
                .register(registry);
        forwardBatchSize = Histogram.builder().name("metastore_forward_batch_size")
                .help("Forwarded requests per message this follower sent the leader (--forward-batch).")
                .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).withoutExemplars()
                .register(registry);
        entryBytes = Histogram.builder().name("metastore_codec_entry_bytes")
                .help("Encoded size of the Raft entries proposed by this member, by codec.")
                .labelNames("codec").classicOnly().classicUpperBounds(exponential(64, 4, 10)).withoutExemplars()
                .register(registry);
        grpc = new GrpcMetrics(registry, receivedBytes, sentBytes);
        stages = new Stages(registry);
        commitHints = counter("metastore_follower_commit_hints_total",
                "Commit indexes this member took from the leader's answer to a write it forwarded, before the"
                        + " leader's AppendEntries or heartbeat said so (--follower-commit answer).");
    }

    /** Adds the JVM's and the process's metrics (memory, GC, threads, CPU, open files); the composition root does. */
    public Metrics withJvmMetrics() {
        JvmMetrics.builder().register(jvmRegistry);
        return this;
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] b = new double[count];
        for (int i = 0; i < count; i++) {
            b[i] = start * Math.pow(factor, i);
        }
        return b;
    }

    // ------------------------------------------------------------------ gauges, read at scrape time

    /** A gauge whose value {@code value} reads when scraped (it must be cheap and thread-safe). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A gauge of 1 or 0. */
    public void flag(String name, String help, BooleanSupplier value) {
        gauge(name, help, () -> value.getAsBoolean() ? 1 : 0);
    }

    // ------------------------------------------------------------------ recording

    /** This member saw a new leader (itself or another). */
    public void leaderChanged() {
        leaderChanges.inc();
    }

    /** {@code n} proposals failed after they were handed to Raft. */
    public void proposalsFailed(int n) {
        proposalsFailed.inc(n);
    }

    public void put() {
        puts.inc();
    }

    public void delete() {
        deletes.inc();
    }

    public void range() {
        ranges.inc();
    }

    public void txn() {
        txns.inc();
    }

    public void leaseGranted() {
        leasesGranted.inc();
    }

    public void leaseRevoked() {
        leasesRevoked.inc();
    }

    /** The leader proposed the revoke of an expired lease. */
    public void leaseExpired() {
        leasesExpired.inc();
    }

    /** Time one Raft log append took, in nanoseconds. */
    public void logAppended(long nanos) {
        walFsync.observe(nanos / 1e9);
    }

    /** Time one engine write batch took, in nanoseconds. */
    public void backendCommitted(long nanos) {
        backendCommit.observe(nanos / 1e9);
    }

    /** This follower took a commit index from the leader's answer to a forwarded write. */
    public void commitHintTaken() {
        commitHints.inc();
    }

    /** This follower sent the leader one message holding {@code requests} forwarded requests. */
    public void forwardSent(int requests) {
        forwardBatchSize.observe(requests);
    }

    /** A Raft entry holding {@code commands} commands was proposed. */
    public void entryProposed(int commands) {
        batchSize.observe(commands);
    }

    /** The series of encoded entry sizes for one codec; resolve it once, record into it often. */
    public DistributionDataPoint entryBytes(String codec) {
        return entryBytes.labelValues(codec);
    }

    /** The latency breakdown of writes and linearizable reads. */
    public Stages stages() {
        return stages;
    }

    /** The gRPC server's metrics (go-grpc-prometheus's names and labels). */
    public GrpcMetrics grpc() {
        return grpc;
    }

    // ------------------------------------------------------------------ exposition

    /** Writes every metric of this member, JVM and process metrics included, in the Prometheus text format 0.0.4. */
    public void writeText(OutputStream out) throws IOException {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (MetricSnapshot s : registry.scrape()) {
            all.metricSnapshot(s);
        }
        for (MetricSnapshot s : jvmRegistry.scrape()) {
            all.metricSnapshot(s);
        }
        writer.write(out, all.build());
    }

    /** {@link #writeText} as a string (tests, debugging). */
    public String text() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeText(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** This member's registry, for a component that registers a metric of its own. */
    public PrometheusRegistry registry() {
        return registry;
    }
}
