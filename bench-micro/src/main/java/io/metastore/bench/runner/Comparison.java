package io.metastore.bench.runner;

import java.util.ArrayList;
import java.util.Collections;
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
 * throughput / reference throughput for throughput. It is computed per pair of measured
 * iterations (every iteration of the result against every iteration of its reference: 3 and 3
 * iterations give 9 ratios); the row reports their median and their range. On a shared machine
 * one disturbed iteration moves a mean a long way, and with few iterations JMH's 99.9%
 * confidence interval (Student's t with 2 degrees of freedom for 3 iterations) is too wide to
 * separate anything; the median and the full range of the ratios show both the typical value
 * and how far the worst pairing strays.
 *
 * <p>Worked example, times in ns/op: reference iterations 100, 110, 300; alternative 10, 11, 12.
 * The nine ratios run from 100/12 = 8.3 to 300/10 = 30; their median is 110/11 = 10.0, so the
 * row reads 10.00x (8.33x to 30.00x). The means (170 and 11) would claim 15.5x.
 */
final class Comparison {

    /**
     * @param group     what the row's result shares with its reference (benchmark, threads, other parameters)
     * @param value     the axis value, or null for a benchmark without the axis (the legacy codec path)
     * @param reference the result it is compared with; null for the reference itself or no axis
     */
    record Row(String group, String value, BenchResult result, BenchResult reference, String referenceValue,
               double speedup, double low, double high, List<Double> ratios, Suite.Claim claim) {

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
                    rows.add(new Row(g.getKey(), null, r, null, null, Double.NaN, Double.NaN, Double.NaN, List.of(),
                            null));
                    continue;
                }
                String refValue = suite.referenceFor(value);
                BenchResult ref = value.equals(refValue) ? null : byValue.get(refValue);
                List<Double> ratios = ref == null ? List.of() : ratios(r, ref);
                rows.add(new Row(g.getKey(), value, r, ref, ref == null ? null : refValue, median(ratios),
                        ratios.isEmpty() ? Double.NaN : ratios.get(0),
                        ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() - 1), ratios,
                        ref == null ? null : suite.claimFor(r.method(), value)));
            }
        }
        return rows;
    }

    /** Every iteration of {@code r} against every iteration of {@code ref}, oriented so above 1 is better; sorted. */
    static List<Double> ratios(BenchResult r, BenchResult ref) {
        List<Double> ratios = new ArrayList<>();
        for (double a : r.primary().raw()) {
            for (double b : ref.primary().raw()) {
                ratios.add(r.higherIsBetter() ? a / b : b / a);
            }
        }
        Collections.sort(ratios);
        return List.copyOf(ratios);
    }

    /** The median of sorted values; NaN for none. */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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

    /** Geometric mean of positive values. */
    static double geomean(List<Double> values) {
        double sum = 0;
        for (double v : values) {
            sum += Math.log(v);
        }
        return Math.exp(sum / values.size());
    }
}
