package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the servers cost with no client: for each subject's {@link Workload.Idle} cells, the CPU
 * (user + system) each member spent per second of the window, in milliseconds, and all members
 * together; medians over repetitions. Timers, heartbeats and housekeeping show here, apart from
 * any request's cost.
 */
public final class IdleWriter {
    private IdleWriter() {
    }

    /** A summary section, or empty when the run had no idle cell that measured CPU. */
    public static String render(List<CellResult> cells) {
        Map<String, List<CellResult>> bySubject = new LinkedHashMap<>();
        for (CellResult c : cells) {
            if (c.ok() && c.workload().equals(Workload.IDLE) && c.cpu() != null && c.measurement().seconds() > 0) {
                bySubject.computeIfAbsent(c.subject(), k -> new ArrayList<>()).add(c);
            }
        }
        if (bySubject.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Idle\n\n");
        md.append("CPU (user + system, from /proc) each server process spent per second of the window with no ")
                .append("client at all, in milliseconds (1,000 would be one core busy); medians over repetitions.\n\n");
        md.append("| subject | each member, ms/s | all members, ms/s |\n|---|---|--:|\n");
        bySubject.forEach((subject, runs) -> {
            Map<String, List<Double>> perMember = new LinkedHashMap<>();
            List<Double> total = new ArrayList<>();
            for (CellResult c : runs) {
                double seconds = c.measurement().seconds();
                byRole(c).forEach((role, s) -> perMember.computeIfAbsent(role, k -> new ArrayList<>())
                        .add(s * 1000 / seconds));
                total.add(msPerSecond(c));
            }
            List<String> each = new ArrayList<>();
            perMember.forEach((m, v) -> each.add(m + " " + Aggregate.median(v, "%.1f")));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", subject, String.join(", ", each),
                    Aggregate.median(total, "%.1f")));
        });
        return md.append('\n').toString();
    }

    /** The CPU all of a cell's server processes spent per second of its window, in milliseconds. */
    public static double msPerSecond(CellResult c) {
        return c.cpu().memberSeconds().values().stream().mapToDouble(Double::doubleValue).sum() * 1000
                / c.measurement().seconds();
    }

    /**
     * A cell's CPU seconds by member, named by role where it had more than one member (the
     * leader, then the followers in member order; who leads changes between repetitions), else by
     * member name.
     */
    private static Map<String, Double> byRole(CellResult c) {
        Map<String, Double> seconds = c.cpu().memberSeconds();
        if (c.members().size() <= 1) {
            return seconds;
        }
        Map<String, Double> leader = new LinkedHashMap<>();
        Map<String, Double> followers = new LinkedHashMap<>();
        for (CellResult.CellMember m : c.members()) {
            Double s = seconds.get(m.name());
            if (s == null) {
                continue;
            }
            if (m.role().equals("leader")) {
                leader.put("leader", s);
            } else {
                followers.put(m.role() + " " + (followers.size() + 1), s);
            }
        }
        leader.putAll(followers);
        return leader;
    }
}
