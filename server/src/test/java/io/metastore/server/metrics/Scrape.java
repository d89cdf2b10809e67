package io.metastore.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** A parsed Prometheus text exposition: finds one series' value by name and labels. */
public final class Scrape {
    private final String text;

    public Scrape(String text) {
        this.text = text;
    }

    public static Scrape of(Metrics metrics) {
        return new Scrape(metrics.text());
    }

    /**
     * The value of the series named {@code name} whose labels are exactly {@code labels}
     * (given as name, value, name, value...); fails if there is no such line.
     */
    public double value(String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String series = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            if (!series.equals(name)) {
                continue;
            }
            Map<String, String> got = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : body.split(",")) {
                    int eq = pair.indexOf('=');
                    got.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            }
            if (got.equals(want)) {
                return Double.parseDouble(line.substring(space + 1));
            }
        }
        throw new AssertionError("no series " + name + want + " in:\n" + text);
    }

    /** The {@code # TYPE} of a metric family, or {@code null}. */
    public String type(String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE " + name + " ")) {
                return line.substring(("# TYPE " + name + " ").length());
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
