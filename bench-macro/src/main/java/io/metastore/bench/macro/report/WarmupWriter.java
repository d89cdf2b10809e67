package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Measurement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Start-up against steady state, from each timed cell's time line (requests completed in each
 * second from the load's first request, {@link Measurement#OPS_PER_SECOND}): how long the
 * servers took to answer, and how long the load then ran before its throughput came within 5% of
 * the measured window's and stayed there. A cell whose warm-up is long enough for the measured
 * window to be steady state measures both: the JIT's cost, which etcd never pays, apart from the
 * steady figure.
 */
public final class WarmupWriter {
    /** Seconds averaged for each point of the curve: one-second rates on a shared machine jump by a tenth. */
    static final int WINDOW = 5;
    static final double WITHIN = 0.05;

    private WarmupWriter() {
    }

    /**
     * The first second {@code t} of the time line from which every {@value #WINDOW}-second
     * average reaches {@code 1 - WITHIN} of {@code steady}; empty when the line is too short or
     * there is no steady figure.
     */
    public static OptionalInt secondsToSteady(List<? extends Number> perSecond, double steady) {
        double[] sums = windowSums(perSecond);
        if (steady <= 0 || sums.length == 0) {
            return OptionalInt.empty();
        }
        double need = (1 - WITHIN) * steady * WINDOW;
        int t = 0;
        for (int u = 0; u < sums.length; u++) {
            if (sums[u] < need) {
                t = u + 1;
            }
        }
        return OptionalInt.of(t);
    }

    /**
     * The first second {@code t} of the time line at which the {@value #WINDOW}-second average
     * from {@code t} reaches {@code 1 - WITHIN} of {@code steady}; empty when it never does, the
     * line is too short or there is no steady figure. Unlike {@link #secondsToSteady} a later
     * dip does not move it: on a shared machine five-second averages of a server already warm
     * (etcd's) swing by a fifth, so "stays within 5%" is seldom met by anyone.
     */
    public static OptionalInt secondsToReach(List<? extends Number> perSecond, double steady) {
        double[] sums = windowSums(perSecond);
        if (steady > 0) {
            double need = (1 - WITHIN) * steady * WINDOW;
            for (int u = 0; u < sums.length; u++) {
                if (sums[u] >= need) {
                    return OptionalInt.of(u);
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The sum of each {@value #WINDOW} seconds of the time line, by first second; empty when it is shorter. */
    private static double[] windowSums(List<? extends Number> perSecond) {
        double[] sums = new double[Math.max(0, perSecond.size() - WINDOW + 1)];
        for (int u = 0; u < sums.length; u++) {
            for (int i = u; i < u + WINDOW; i++) {
                sums[u] += perSecond.get(i).doubleValue();
            }
        }
        return sums;
    }

    /** The time line of a cell, or an empty list where its workload kept none. */
    @SuppressWarnings("unchecked")
    static List<? extends Number> timeLine(CellResult c) {
        Object line = c.measurement() == null ? null : c.measurement().extra().get(Measurement.OPS_PER_SECOND);
        return line instanceof List<?> l ? (List<? extends Number>) l : List.of();
    }

    /** A summary section: one row per workload and subject, medians over repetitions; empty when no cell kept a time line. */
    public static String render(List<CellResult> cells) {
        Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        for (CellResult c : cells) {
            if (c.ok() && !timeLine(c).isEmpty()) {
                groups.computeIfAbsent(c.label() + "\u0000" + c.subject(), k -> new ArrayList<>()).add(c);
            }
        }
        if (groups.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Start-up and warm-up\n\n");
        md.append("From each cell's time line (requests completed per second from the load's first request): ")
                .append("*ready* is the time from launching the server(s) until every member answered a linearizable ")
                .append("Range; *reaches 95% after* the load's seconds until the first ").append(WINDOW)
                .append("-second average within ").append((int) (WITHIN * 100))
                .append("% of the measured window's throughput, and *from launch* that plus *ready*; *stays after* ")
                .append("the seconds until every later ").append(WINDOW).append("-second average stayed there ")
                .append("(the window itself counted, so a figure as long as warm-up + window means it never did: on ")
                .append("a shared machine even a server with nothing to compile swings by more than 5%); *first ")
                .append(WINDOW).append(" s* the throughput of the load's first ").append(WINDOW)
                .append(" seconds against the window's. Medians over repetitions.\n\n");
        md.append("| workload | subject | ready s | reaches 95% after s | from launch s | stays after s | first ")
                .append(WINDOW).append(" s / steady | steady ops/s |\n|---|---|--:|--:|--:|--:|--:|--:|\n");
        groups.forEach((k, runs) -> {
            List<Double> ready = new ArrayList<>();
            List<Double> steadyAfter = new ArrayList<>();
            List<Double> reach = new ArrayList<>();
            List<Double> fromLaunch = new ArrayList<>();
            List<Double> first = new ArrayList<>();
            List<Double> steady = new ArrayList<>();
            for (CellResult c : runs) {
                List<? extends Number> line = timeLine(c);
                double rate = c.measurement().throughput();
                steady.add(rate);
                ready.add(c.readyMs() / 1000.0);
                OptionalInt t = secondsToSteady(line, rate);
                if (t.isPresent()) {
                    steadyAfter.add((double) t.getAsInt());
                }
                OptionalInt r = secondsToReach(line, rate);
                if (r.isPresent()) {
                    reach.add((double) r.getAsInt());
                    fromLaunch.add(c.readyMs() / 1000.0 + r.getAsInt());
                }
                double[] sums = windowSums(line);
                if (sums.length > 0 && rate > 0) {
                    first.add(sums[0] / WINDOW / rate);
                }
            }
            CellResult c = runs.get(0);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", c.label(),
                    c.subject(), Aggregate.median(ready, "%.1f"), Aggregate.median(reach, "%.0f"),
                    Aggregate.median(fromLaunch, "%.1f"), Aggregate.median(steadyAfter, "%.0f"),
                    Aggregate.median(first, "%.2f"), Aggregate.median(steady, "%,.0f")));
        });
        return md.append('\n').toString();
    }
}
