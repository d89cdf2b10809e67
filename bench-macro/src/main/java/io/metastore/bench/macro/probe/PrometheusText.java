package io.metastore.bench.macro.probe;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the classic histograms of a few families out of Prometheus' text exposition format
 * (0.0.4): for family {@code f}, the series {@code f_bucket{...,le="..."}}, {@code f_sum{...}} and
 * {@code f_count{...}}, grouped by their labels other than {@code le}. Comments, other families
 * and lines it cannot read are skipped: a scrape that lacks a family simply has no series of it.
 *
 * <pre>
 * metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="0.001"} 12
 * metastore_write_stage_duration_seconds_bucket{role="leader",stage="commit",le="+Inf"} 20
 * metastore_write_stage_duration_seconds_sum{role="leader",stage="commit"} 0.034
 * metastore_write_stage_duration_seconds_count{role="leader",stage="commit"} 20
 * </pre>
 * gives family {@code metastore_write_stage_duration_seconds}, series {@code {role=leader,
 * stage=commit}}: buckets {@code {0.001: 12, +Inf: 20}}, sum 0.034, count 20.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** Family name, then labels (without {@code le}), then the series. */
    public static Map<String, Map<Map<String, String>, Histogram>> histograms(String text, Collection<String> families) {
        Map<String, Map<Map<String, String>, Builder>> found = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Sample s = sample(line.trim());
            if (s == null) {
                continue;
            }
            for (String family : families) {
                if (!s.name.startsWith(family) || s.name.length() == family.length()) {
                    continue;
                }
                String suffix = s.name.substring(family.length());
                if (!suffix.equals("_bucket") && !suffix.equals("_sum") && !suffix.equals("_count")) {
                    continue;
                }
                String le = s.labels.remove("le");
                Builder b = found.computeIfAbsent(family, f -> new LinkedHashMap<>())
                        .computeIfAbsent(Map.copyOf(s.labels), l -> new Builder());
                switch (suffix) {
                    case "_bucket" -> {
                        if (le != null) {
                            b.buckets.put(number(le), s.value);
                        }
                    }
                    case "_sum" -> b.sum = s.value;
                    default -> b.count = s.value;
                }
            }
        }
        Map<String, Map<Map<String, String>, Histogram>> out = new LinkedHashMap<>();
        found.forEach((family, series) -> {
            Map<Map<String, String>, Histogram> m = new LinkedHashMap<>();
            series.forEach((labels, b) -> m.put(labels, new Histogram(b.buckets, b.sum, b.count)));
            out.put(family, m);
        });
        return out;
    }

    private static final class Builder {
        final TreeMap<Double, Double> buckets = new TreeMap<>();
        double sum;
        double count;
    }

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One sample line ({@code name{labels} value [timestamp]}), or null for a comment or a line it cannot read. */
    private static Sample sample(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        try {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            String name = line.substring(0, i);
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (true) {
                    while (line.charAt(i) == ' ' || line.charAt(i) == ',') {
                        i++;
                    }
                    if (line.charAt(i) == '}') {
                        i++;
                        break;
                    }
                    int eq = line.indexOf('=', i);
                    String key = line.substring(i, eq).trim();
                    i = eq + 1;
                    if (line.charAt(i) != '"') {
                        return null;
                    }
                    i++;
                    StringBuilder v = new StringBuilder();
                    for (char c = line.charAt(i); c != '"'; c = line.charAt(i)) {
                        if (c == '\\') {
                            char e = line.charAt(++i);
                            v.append(e == 'n' ? '\n' : e);
                        } else {
                            v.append(c);
                        }
                        i++;
                    }
                    i++;
                    labels.put(key, v.toString());
                }
            }
            String[] rest = line.substring(i).trim().split("\\s+");
            return new Sample(name, labels, number(rest[0]));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double number(String s) {
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
