package io.metastore.bench.macro.report;

import io.metastore.bench.macro.probe.StageRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code breakdown.md}: for every cell whose members exported stage histograms (or the
 * WAL fsync one) over its measured window, one table of member, metric, role, stage, count,
 * mean, p50 and p99 — the deltas of each histogram between the scrapes before and after the
 * window. Cells without any such series are listed as having none.
 */
public final class BreakdownWriter {
    private BreakdownWriter() {
    }

    public static void write(Path file, String title, List<CellResult> cells) throws IOException {
        Files.writeString(file, render(title, cells));
    }

    static String render(String title, List<CellResult> cells) {
        StringBuilder md = new StringBuilder("# Per-stage latency: ").append(title).append("\n\n")
                .append("Deltas over each cell's measured window of `metastore_write_stage_duration_seconds`, ")
                .append("`metastore_read_stage_duration_seconds` and `etcd_disk_wal_fsync_duration_seconds` as each ")
                .append("member's `/metrics` exports them; p50/p99 interpolated inside the buckets as Prometheus' ")
                .append("`histogram_quantile` does, so they are no finer than the bucket bounds. `role` is the ")
                .append("series' label, the member's own role (from its Status at the start) is beside its name.\n\n");
        List<String> without = new java.util.ArrayList<>();
        for (CellResult c : cells) {
            if (c.breakdown().isEmpty()) {
                if (!"external".equals(c.kind())) {
                    without.add(c.fileStem());
                }
                continue;
            }
            md.append("## ").append(c.subject()).append(" · ").append(c.label()).append(" · r")
                    .append(c.repetition()).append("\n\n");
            md.append("| member | metric | role | stage | count | mean ms | p50 ms | p99 ms |\n")
                    .append("|---|---|---|---|--:|--:|--:|--:|\n");
            for (StageRow r : c.breakdown()) {
                md.append("| ").append(r.member()).append(" (").append(r.memberRole()).append(") | ")
                        .append(r.metric()).append(" | ").append(r.role()).append(" | ").append(r.stage())
                        .append(" | ").append(r.count()).append(" | ").append(ms(r.meanMs())).append(" | ")
                        .append(ms(r.p50Ms())).append(" | ").append(ms(r.p99Ms())).append(" |\n");
            }
            md.append('\n');
        }
        if (!without.isEmpty()) {
            md.append("No stage series in: ").append(String.join(", ", without)).append(".\n");
        }
        return md.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
