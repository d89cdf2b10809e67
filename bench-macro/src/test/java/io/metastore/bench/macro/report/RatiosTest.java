package io.metastore.bench.macro.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RatiosTest {
    private static Aggregate row(String subject, String kind, String config, String storage, int nodes, double tput) {
        return new Aggregate("put-100", "put-100", subject, kind, config, storage, nodes, 1, 0, tput, tput, tput, 1, 2,
                3, 0, Double.NaN, Double.NaN, null, null, Map.of());
    }

    @Test
    void aClusterIsComparedWithTheBaselineAndTargetsOfItsOwnSize() {
        Aggregate base1 = row("baseline-rocksdb", "metastore", "baseline", "rocksdb", 1, 100);
        Aggregate base3 = row("baseline-rocksdb-3n", "metastore", "baseline", "rocksdb", 3, 50);
        Aggregate tier3 = row("tier3-rocksdb-3n", "metastore", "tier3", "rocksdb", 3, 200);
        Aggregate etcd1 = row("etcd", "etcd", "etcd", "bbolt", 1, 400);
        Aggregate etcd3 = row("etcd-3n", "etcd", "etcd", "bbolt", 3, 100);
        Aggregate external = row("prod", "external", "prod", "-", 0, 1000);
        List<Aggregate> table = List.of(base1, base3, tier3, etcd1, etcd3, external);

        assertEquals(Optional.of(base3), Ratios.baselineFor(tier3, table));
        assertEquals("4.00x", Ratios.ratio(tier3, Ratios.baselineFor(tier3, table)));
        assertEquals("2.00x", Ratios.ratio(tier3, Optional.of(etcd3)));
        assertEquals("-", Ratios.ratio(tier3, Optional.of(etcd1)));
        assertEquals("0.20x", Ratios.ratio(tier3, Optional.of(external)));
        assertEquals(List.of(etcd1, etcd3, external), Ratios.targets(table));
    }
}
