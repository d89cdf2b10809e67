package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Measurement;
import io.metastore.bench.macro.probe.CpuUse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleWriterTest {
    @Test
    void eachRoleGetsTheMedianOfItsMembersCpuPerSecondWhoeverLedTheRepetition() {
        // rep 1: m1 leads, 0.2 s of CPU over 10 s = 20 ms/s; rep 2: m3 leads at 40 ms/s
        CellResult r1 = idle(1, List.of("leader", "follower", "follower"), Map.of("m1", 0.2, "m2", 0.05, "m3", 0.01));
        CellResult r2 = idle(2, List.of("follower", "follower", "leader"), Map.of("m1", 0.03, "m2", 0.07, "m3", 0.4));
        String md = IdleWriter.render(List.of(r1, r2));
        // leader (20 + 40) / 2; first follower m2 in rep 1 (5), m1 in rep 2 (3); second m3 (1), m2 (7); all 26 and 50
        assertTrue(md.contains("| tier3-rocksdb-3n | leader 30.0, follower 1 4.0, follower 2 4.0 | 38.0 |"), md);
    }

    @Test
    void nothingWithoutAnIdleCell() {
        assertEquals("", IdleWriter.render(List.of()));
    }

    private static CellResult idle(int rep, List<String> roles, Map<String, Double> seconds) {
        List<CellResult.CellMember> members = List.of(new CellResult.CellMember("m1", roles.get(0), "a:1", 0),
                new CellResult.CellMember("m2", roles.get(1), "a:2", 0),
                new CellResult.CellMember("m3", roles.get(2), "a:3", 0));
        Map<String, Double> ordered = new java.util.LinkedHashMap<>();
        for (String m : List.of("m1", "m2", "m3")) {
            ordered.put(m, seconds.get(m));
        }
        Measurement m = new Measurement(0, 0, null, 10.0, 0, 0, 0, 0, 0, 0, 0, Map.of());
        CpuUse cpu = new CpuUse(100, 0, ordered, 0.01, null, Map.of(), null);
        return new CellResult(rep, rep, "tier3-rocksdb-3n", "metastore", "tier3", "rocksdb", 3, "idle", "idle (all)",
                "all", "idle", 0, 0, members, m, cpu, List.of(), null, null, null, "", "", "", 1000);
    }
}
