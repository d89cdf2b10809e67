package io.metastore.bench.macro.load;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * What one measured window produced. Latencies are in milliseconds, throughput in completed
 * requests per second of the window; {@code extra} holds workload-specific figures (for the
 * compaction workload: the revisions written and the duration of the Compact call; for a timed
 * run its time line, {@link #OPS_PER_SECOND}).
 */
public record Measurement(long ops, long errors, String firstError, double seconds, double throughput,
                          double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double meanMs,
                          Map<String, Object> extra) {

    private static final double NANOS_PER_MS = 1_000_000.0;

    /**
     * The {@code extra} key of a timed run's time line: requests completed in each whole second
     * from the load's first request, warm-up and measured window alike (a {@code List<Long>}).
     */
    public static final String OPS_PER_SECOND = "opsPerSecond";

    public static Measurement of(Histogram h, long errors, String firstError, double seconds, Map<String, Object> extra) {
        long ops = h.getTotalCount();
        return new Measurement(ops, errors, firstError, seconds, seconds > 0 ? ops / seconds : 0,
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), ops == 0 ? 0 : h.getMean() / NANOS_PER_MS,
                Map.copyOf(extra));
    }

    private static double ms(long nanos) {
        return nanos / NANOS_PER_MS;
    }
}
