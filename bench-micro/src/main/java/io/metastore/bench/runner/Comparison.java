package io.metastore.bench.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A suite's results paired with their references: every result whose axis value is not the
 * reference is compared with the result of the same benchmark, thread count and other
 * parameters at the reference value.
 *
 * <p>Speed-up is oriented so that above 1 is better: reference time / time for time modes, and
 * throughput / reference throughput for throughput. Its error propagates JMH's 99.9%
 * confidence half-widths of both scores as relative errors in quadrature:
 * {@code e = s * sqrt((ea/a)^2 + (eb/b)^2)}.
 */
final class Comparison {

    /**
     * @param group     what the row's result shares with its reference (benchmark, threads, other parameters)
     * @param value     the axis value, or null for a benchmark without the axis (the legacy codec path)
     * @param reference the result it is compared with; null for the reference itself or no axis
     */
    record Row(String group, String value, BenchResult result, BenchResult reference, String referenceValue,
               double speedup, double speedupError, Suite.Claim claim) {

        boolean isReference() {
            return value != null && reference == null;
        }

        boolean compared() {
            return reference != null;
        }
    }

    private Comparison() {
    }

    static List<Row> rows(Suite suite, List<BenchResult> results) {
        Map<String, Map<String, BenchResult>> groups = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        for (BenchResult r : results) {
            groups.computeIfAbsent(groupOf(suite, r), g -> new LinkedHashMap<>())
                    .put(r.params().getOrDefault(suite.axis, ""), r);
        }
        for (Map.Entry<String, Map<String, BenchResult>> g : groups.entrySet()) {
            Map<String, BenchResult> byValue = g.getValue();
            // The reference first, then the alternatives in the order JMH ran them.
            List<String> order = new ArrayList<>();
            if (byValue.containsKey(suite.baseline)) {
                order.add(suite.baseline);
            }
            byValue.keySet().stream().filter(v -> !v.equals(suite.baseline)).forEach(order::add);
            for (String value : order) {
                BenchResult r = byValue.get(value);
                if (value.isEmpty()) {
                    rows.add(new Row(g.getKey(), null, r, null, null, Double.NaN, Double.NaN, null));
                    continue;
                }
                String refValue = suite.referenceFor(value);
                BenchResult ref = value.equals(refValue) ? null : byValue.get(refValue);
                double s = Double.NaN;
                double e = Double.NaN;
                if (ref != null) {
                    double a = r.primary().score();
                    double b = ref.primary().score();
                    s = r.higherIsBetter() ? a / b : b / a;
                    e = s * Math.sqrt(square(r.primary().error() / a) + square(ref.primary().error() / b));
                }
                rows.add(new Row(g.getKey(), value, r, ref, ref == null ? null : refValue, s, e,
                        ref == null ? null : suite.claimFor(r.method(), value)));
            }
        }
        return rows;
    }

    /** Benchmark, thread count and every parameter but the axis: {@code encode shape=put64}. */
    static String groupOf(Suite suite, BenchResult r) {
        StringBuilder sb = new StringBuilder(r.benchmark());
        if (r.threads() > 1) {
            sb.append(" threads=").append(r.threads());
        }
        Map<String, String> others = new TreeMap<>(r.params());
        others.remove(suite.axis);
        others.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    private static double square(double x) {
        return x * x;
    }

    /** Geometric mean of positive values. */
    static double geomean(List<Double> values) {
        double sum = 0;
        for (double v : values) {
            sum += Math.log(v);
        }
        return Math.exp(sum / values.size());
    }
}
