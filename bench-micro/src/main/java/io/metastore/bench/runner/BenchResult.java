package io.metastore.bench.runner;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark result as JMH's JSON output has it: a benchmark method at one combination of
 * parameters and thread count, its score with JMH's 99.9% confidence half-width, and the
 * secondary metrics (auxiliary counters such as {@code bytesPerEntry}, profilers' metrics such as
 * {@code gc.alloc.rate.norm}).
 *
 * @param settings JMH's run settings for this result: forks, warmup and measurement iterations
 * @param benchmark the benchmark without the package: {@code StoreOperationBenchmark.Contended.put}
 */
record BenchResult(String benchmark, String mode, int threads, Map<String, String> params, Metric primary,
                   Map<String, Metric> secondary, String settings) {

    static final String PACKAGE = "io.metastore.bench.";

    /**
     * @param score JMH's score: the mean over every measured iteration of every fork (for
     *        {@code EVENTS} auxiliary counters, their sum)
     * @param error JMH's 99.9% confidence half-width of the score; NaN with one iteration
     * @param raw   every measured iteration's value, forks one after another (in sample mode,
     *        each iteration's mean of its samples)
     * @param percentiles JMH's {@code scorePercentiles} by percentile ({@code "50.0"},
     *        {@code "99.0"}): in sample mode, the distribution of single operations' times
     */
    record Metric(double score, double error, String unit, double[] raw, Map<String, Double> percentiles) {

        Metric(double score, double error, String unit, double[] raw) {
            this(score, error, unit, raw, Map.of());
        }

        Metric(double score, double error, String unit) {
            this(score, error, unit, new double[] {score});
        }

        /** The mean of the per-iteration values: for a counter that is the same every iteration, that value. */
        double iterationMean() {
            double sum = 0;
            for (double v : raw) {
                sum += v;
            }
            return sum / raw.length;
        }
    }

    /** The method name: the last segment of the benchmark. */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    /** Sample mode: JMH timed single operations, and the percentiles describe their distribution. */
    boolean sampled() {
        return mode.equals("sample");
    }

    /** The secondary metric whose name ends with {@code suffix} (profilers may prefix names), or null. */
    Metric secondary(String suffix) {
        for (Map.Entry<String, Metric> e : secondary.entrySet()) {
            if (e.getKey().endsWith(suffix)) {
                return e.getValue();
            }
        }
        return null;
    }

    static List<BenchResult> read(Path jmhJson) throws IOException {
        List<BenchResult> results = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(jmhJson)) {
            JsonArray array = JsonParser.parseReader(in).getAsJsonArray();
            for (JsonElement e : array) {
                JsonObject o = e.getAsJsonObject();
                String name = o.get("benchmark").getAsString();
                if (name.startsWith(PACKAGE)) {
                    name = name.substring(PACKAGE.length());
                }
                Map<String, String> params = new TreeMap<>();
                if (o.has("params")) {
                    o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
                }
                Map<String, Metric> secondary = new LinkedHashMap<>();
                if (o.has("secondaryMetrics")) {
                    o.getAsJsonObject("secondaryMetrics").entrySet()
                            .forEach(m -> secondary.put(m.getKey(), metric(m.getValue().getAsJsonObject())));
                }
                results.add(new BenchResult(name, o.get("mode").getAsString(), o.get("threads").getAsInt(),
                        Collections.unmodifiableMap(params), metric(o.getAsJsonObject("primaryMetric")),
                        Collections.unmodifiableMap(secondary), settings(o)));
            }
        }
        return results;
    }

    private static String settings(JsonObject o) {
        return "forks " + text(o, "forks") + ", warmup " + text(o, "warmupIterations") + " x " + text(o, "warmupTime")
                + ", measurement " + text(o, "measurementIterations") + " x " + text(o, "measurementTime");
    }

    private static String text(JsonObject o, String field) {
        return o.has(field) ? o.get(field).getAsString() : "?";
    }

    private static Metric metric(JsonObject m) {
        // JMH writes "NaN" (a string) for the error of a single measurement iteration.
        List<Double> raw = new ArrayList<>();
        if (m.has("rawData")) {
            for (JsonElement fork : m.getAsJsonArray("rawData")) {
                for (JsonElement v : fork.getAsJsonArray()) {
                    raw.add(v.getAsDouble());
                }
            }
        } else if (m.has("rawDataHistogram")) {
            // Sample mode: per fork, per iteration, [time, count] pairs; an iteration's value is its mean.
            for (JsonElement fork : m.getAsJsonArray("rawDataHistogram")) {
                for (JsonElement iteration : fork.getAsJsonArray()) {
                    double sum = 0;
                    long count = 0;
                    for (JsonElement pair : iteration.getAsJsonArray()) {
                        JsonArray p = pair.getAsJsonArray();
                        sum += p.get(0).getAsDouble() * p.get(1).getAsLong();
                        count += p.get(1).getAsLong();
                    }
                    if (count > 0) {
                        raw.add(sum / count);
                    }
                }
            }
        }
        Map<String, Double> percentiles = new LinkedHashMap<>();
        if (m.has("scorePercentiles")) {
            m.getAsJsonObject("scorePercentiles").entrySet()
                    .forEach(p -> percentiles.put(p.getKey(), p.getValue().getAsDouble()));
        }
        double score = m.get("score").getAsDouble();
        return new Metric(score, m.get("scoreError").getAsDouble(), m.get("scoreUnit").getAsString(),
                raw.isEmpty() ? new double[] {score} : raw.stream().mapToDouble(Double::doubleValue).toArray(),
                Collections.unmodifiableMap(percentiles));
    }
}
