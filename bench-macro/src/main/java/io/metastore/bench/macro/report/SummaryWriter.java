package io.metastore.bench.macro.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes {@code summary.md}: one table per workload label with median throughput, its spread
 * over repetitions, p50/p99/max latency, server and client CPU per request, and the ratio
 * columns (to the baseline on the same storage, and to every target). Compaction gets its own
 * columns.
 */
public final class SummaryWriter {
    private SummaryWriter() {
    }

    public static String render(String title, List<String> preamble, Map<String, List<Aggregate>> byWorkload,
                                Map<String, String> descriptions) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        preamble.forEach(l -> md.append(l).append('\n'));
        md.append('\n');
        byWorkload.forEach((workload, row) -> {
            md.append("## ").append(workload).append("\n\n").append(descriptions.getOrDefault(workload, ""))
                    .append("\n\n");
            List<Aggregate> targets = Ratios.targets(row);
            boolean compaction = row.get(0).workload().equals("compaction");
            md.append(compaction
                    ? "| subject | config | storage | nodes | compact ms | revisions compacted/s | spread | write phase ops/s |"
                    + " server CPU ms/compact | client CPU ms/compact | runs |"
                    : "| subject | config | storage | nodes | ops/s | spread | p50 ms | p99 ms | max ms | errors |"
                    + " server CPU µs/op | client CPU µs/op | runs |");
            md.append(" vs baseline |");
            targets.forEach(t -> md.append(" vs ").append(t.subject()).append(" |"));
            md.append('\n').append(compaction ? "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
                    : "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            targets.forEach(t -> md.append("--:|"));
            md.append('\n');
            for (Aggregate a : row) {
                md.append("| ").append(a.subject()).append(" | ").append(a.config()).append(" | ").append(a.storage())
                        .append(" | ").append(a.nodes() == 0 ? "-" : String.valueOf(a.nodes())).append(" | ");
                if (compaction) {
                    md.append(f(a.p50Ms())).append(" | ").append(f(a.throughput())).append(" | ")
                            .append(spread(a)).append(" | ")
                            .append(f(a.extra().getOrDefault("writePhaseOpsPerSec", 0.0))).append(" | ")
                            .append(f(a.serverCpuUsPerOp() / 1000)).append(" | ").append(f(a.clientCpuUsPerOp() / 1000))
                            .append(" | ");
                } else {
                    md.append(f(a.throughput())).append(" | ").append(spread(a)).append(" | ").append(f(a.p50Ms()))
                            .append(" | ").append(f(a.p99Ms())).append(" | ").append(f(a.maxMs())).append(" | ")
                            .append(a.errors()).append(" | ").append(f(a.serverCpuUsPerOp())).append(" | ")
                            .append(f(a.clientCpuUsPerOp())).append(" | ");
                }
                md.append(a.runs()).append(a.failed() > 0 ? " (+" + a.failed() + " failed)" : "").append(" | ");
                md.append(Ratios.ratio(a, Ratios.baselineFor(a, row))).append(" |");
                targets.forEach(t -> md.append(' ').append(a == t ? "1.00x" : Ratios.ratio(a, Optional.of(t)))
                        .append(" |"));
                md.append('\n');
            }
            md.append('\n');
        });
        return md.toString();
    }

    public static void write(Path file, String markdown) throws IOException {
        Files.writeString(file, markdown);
    }

    static String spread(Aggregate a) {
        return a.runs() < 2 ? "-" : String.format(Locale.ROOT, "±%.0f%%", a.spreadPercent() / 2);
    }

    static String f(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
