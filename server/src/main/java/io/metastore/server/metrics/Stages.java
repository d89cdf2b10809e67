package io.metastore.server.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The latency breakdown of writes and linearizable reads: each stage timed on the member where
 * it happens, so a slow request can be explained stage by stage.
 *
 * <pre>
 * write on the leader (role="leader")
 *   propose   the proposer took the command .. jraft was handed its entry (queue, batching, encoding)
 *   append    handed to jraft .. the entry is written (and synced) in this member's log: jraft's
 *             apply queue and log thread, the write and fsync
 *   commit    .. the state machine starts applying the entry: the wait for a quorum beyond the
 *             local copy (replication to the followers, their appends, the answers), the
 *             hand-off to jraft's state-machine thread and any entries applied before it; 0 when
 *             the followers' answers were in before the local append finished
 *   apply     applying the entry: the engine write, watch events
 *   total     the KV call received .. its answer ready (checks, conversions, everything above)
 * write through a follower (role="follower")
 *   forward   received .. sent to the leader (finding the leader)
 *   leader    sent .. the leader's answer arrived: one round trip plus the leader's whole write
 *   apply_here the leader's answer .. this member applied the entry too (read your writes here)
 *   total     received .. answer ready
 * linearizable read (role = the member's role when the read began)
 *   read_index ReadIndex asked .. confirmed by a quorum and applied up to the read index here
 *   read      the local read
 *   total     received .. answer ready
 * </pre>
 *
 * Every series is resolved once, when the member is built; recording is one histogram
 * observation (about 250 ns). Buckets: 10 µs doubling to about 1.3 s.
 */
public final class Stages {
    private static final double[] BUCKETS = buckets();

    private final DistributionDataPoint leaderPropose;
    private final DistributionDataPoint leaderAppend;
    private final DistributionDataPoint leaderCommit;
    private final DistributionDataPoint leaderApply;
    private final DistributionDataPoint leaderTotal;
    private final DistributionDataPoint followerForward;
    private final DistributionDataPoint followerLeader;
    private final DistributionDataPoint followerApplyHere;
    private final DistributionDataPoint followerTotal;
    private final DistributionDataPoint[] readIndex = new DistributionDataPoint[2];
    private final DistributionDataPoint[] read = new DistributionDataPoint[2];
    private final DistributionDataPoint[] readTotal = new DistributionDataPoint[2];

    Stages(PrometheusRegistry registry) {
        Histogram write = Histogram.builder().name("metastore_write_stage_duration_seconds")
                .help("Time each stage of a replicated write took on this member (role leader: propose, append,"
                        + " commit, apply, total; role follower: forward, leader, apply_here, total).")
                .labelNames("role", "stage").classicOnly().classicUpperBounds(BUCKETS).withoutExemplars()
                .register(registry);
        Histogram reads = Histogram.builder().name("metastore_read_stage_duration_seconds")
                .help("Time each stage of a linearizable read took on this member (read_index, read, total).")
                .labelNames("role", "stage").classicOnly().classicUpperBounds(BUCKETS).withoutExemplars()
                .register(registry);
        leaderPropose = write.labelValues("leader", "propose");
        leaderAppend = write.labelValues("leader", "append");
        leaderCommit = write.labelValues("leader", "commit");
        leaderApply = write.labelValues("leader", "apply");
        leaderTotal = write.labelValues("leader", "total");
        followerForward = write.labelValues("follower", "forward");
        followerLeader = write.labelValues("follower", "leader");
        followerApplyHere = write.labelValues("follower", "apply_here");
        followerTotal = write.labelValues("follower", "total");
        String[] roles = {"follower", "leader"};
        for (int i = 0; i < 2; i++) {
            readIndex[i] = reads.labelValues(roles[i], "read_index");
            read[i] = reads.labelValues(roles[i], "read");
            readTotal[i] = reads.labelValues(roles[i], "total");
        }
    }

    private static double[] buckets() {
        double[] b = new double[18];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.00001 * (1L << i);
        }
        return b;
    }

    private static void observe(DistributionDataPoint h, long fromNanos, long toNanos) {
        h.observe(Math.max(0, toNanos - fromNanos) / 1e9);
    }

    /**
     * The leader's stages of one proposed command, all {@link System#nanoTime} stamps: taken by
     * the proposer, handed to jraft, written in the local log ({@code 0}: not known, and then
     * append and commit are not recorded), apply started, applied.
     */
    public void leaderWrite(long taken, long handedToRaft, long writtenHere, long applyStarted, long applied) {
        observe(leaderPropose, taken, handedToRaft);
        if (writtenHere != 0) {
            observe(leaderAppend, handedToRaft, writtenHere);
            observe(leaderCommit, Math.min(writtenHere, applyStarted), applyStarted);
        }
        observe(leaderApply, applyStarted, applied);
    }

    /** A follower's stages of one forwarded write: received, sent to the leader, answered by it, applied here. */
    public void followerWrite(long received, long sent, long leaderAnswered, long appliedHere) {
        observe(followerForward, received, sent);
        observe(followerLeader, sent, leaderAnswered);
        observe(followerApplyHere, leaderAnswered, appliedHere);
    }

    /** A write's whole time on this member, {@code leader} when it was not forwarded. */
    public void writeTotal(boolean leader, long received, long answered) {
        observe(leader ? leaderTotal : followerTotal, received, answered);
    }

    /** A linearizable read: received, ReadIndex confirmed and applied here, read done. */
    public void linearizableRead(boolean leader, long received, long confirmed, long done) {
        int i = leader ? 1 : 0;
        observe(readIndex[i], received, confirmed);
        observe(read[i], confirmed, done);
        observe(readTotal[i], received, done);
    }
}
