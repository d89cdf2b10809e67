package io.metastore.bench.macro.probe;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One series of a classic Prometheus histogram: cumulative bucket counts by upper bound
 * ({@code le}, the last one {@code +Inf}), the sum of observations and their count.
 */
public record Histogram(NavigableMap<Double, Double> buckets, double sum, double count) {
    static final Histogram EMPTY = new Histogram(new TreeMap<>(), 0, 0);

    public Histogram {
        buckets = java.util.Collections.unmodifiableNavigableMap(new TreeMap<>(buckets));
    }

    /**
     * What was observed between {@code before} and this scrape. A series whose count went down
     * was reset (the process restarted), so everything in it is new.
     */
    public Histogram minus(Histogram before) {
        if (before.count > count) {
            return this;
        }
        TreeMap<Double, Double> delta = new TreeMap<>();
        for (Map.Entry<Double, Double> b : buckets.entrySet()) {
            delta.put(b.getKey(), b.getValue() - before.buckets.getOrDefault(b.getKey(), 0.0));
        }
        return new Histogram(delta, sum - before.sum, count - before.count);
    }

    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * The {@code q}-quantile as Prometheus' {@code histogram_quantile} estimates it: find the
     * bucket the rank {@code q * count} falls in and interpolate linearly between its lower and
     * upper bound (the lower bound of the first bucket is 0); a rank in the {@code +Inf} bucket
     * gives the highest finite bound. NaN when nothing was observed or there is no {@code +Inf}
     * bucket.
     *
     * <p>Worked example: buckets {@code le=0.001:2, le=0.01:8, le=+Inf:10}; p50 has rank 5, in the
     * second bucket (6 observations from 0.001 to 0.01, 2 below it), so 0.001 + 0.009 * (5-2)/6
     * = 0.0055; p99 has rank 9.9, in {@code +Inf}, so 0.01.
     */
    public double quantile(double q) {
        if (buckets.isEmpty() || buckets.lastKey() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double total = buckets.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        boolean first = true;
        for (Map.Entry<Double, Double> b : buckets.entrySet()) {
            double upper = b.getKey();
            double cumulative = b.getValue();
            if (cumulative >= rank) {
                if (upper == Double.POSITIVE_INFINITY) {
                    return first ? Double.NaN : lower;
                }
                if (first && upper <= 0) {
                    return upper;
                }
                double inBucket = cumulative - below;
                return inBucket == 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
            }
            lower = upper;
            below = cumulative;
            first = false;
        }
        return lower;
    }
}
