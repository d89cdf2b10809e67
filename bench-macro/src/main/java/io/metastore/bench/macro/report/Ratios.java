package io.metastore.bench.macro.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The comparison columns: each MetaStore configuration against the baseline on the same storage, and against each target. */
final class Ratios {
    private Ratios() {
    }

    static Optional<Aggregate> baselineFor(Aggregate a, List<Aggregate> row) {
        if (!"metastore".equals(a.kind())) {
            return Optional.empty();
        }
        return row.stream().filter(b -> "metastore".equals(b.kind()) && "baseline".equals(b.config())
                && b.storage().equals(a.storage())).findFirst();
    }

    static List<Aggregate> targets(List<Aggregate> row) {
        return row.stream().filter(b -> !"metastore".equals(b.kind())).toList();
    }

    static String ratio(Aggregate a, Optional<Aggregate> b) {
        if (b.isEmpty() || b.get().throughput() == 0 || a.runs() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", a.throughput() / b.get().throughput());
    }
}
