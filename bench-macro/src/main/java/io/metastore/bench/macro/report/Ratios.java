package io.metastore.bench.macro.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison columns: each MetaStore configuration against the baseline on the same storage
 * and cluster size, and against each target of the same cluster size (an external target, of
 * unknown size, against every row).
 */
final class Ratios {
    private Ratios() {
    }

    static Optional<Aggregate> baselineFor(Aggregate a, List<Aggregate> row) {
        if (!"metastore".equals(a.kind())) {
            return Optional.empty();
        }
        return row.stream().filter(b -> "metastore".equals(b.kind()) && "baseline".equals(b.config())
                && b.storage().equals(a.storage()) && b.nodes() == a.nodes()).findFirst();
    }

    static List<Aggregate> targets(List<Aggregate> row) {
        return row.stream().filter(b -> !"metastore".equals(b.kind())).toList();
    }

    static String ratio(Aggregate a, Optional<Aggregate> b) {
        if (b.isEmpty() || b.get().throughput() == 0 || a.runs() == 0
                || (b.get().nodes() != 0 && a.nodes() != 0 && b.get().nodes() != a.nodes())) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", a.throughput() / b.get().throughput());
    }
}
