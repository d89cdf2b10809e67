package io.metastore.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The short fault scenario of the default build: one leader kill and one pause under load. */
class ShortFaultScenarioTest {
    @TempDir
    Path dir;

    @Test
    void aLeaderKillAndAPauseLoseNothingAndStayLinearizable() {
        FaultScenario.Report report = FaultScenario.run(new FaultScenario.Plan(
                List.of(Fault.Kind.KILL_LEADER, Fault.Kind.PAUSE), 3000, 4, 5,
                List.of("--snapshot-interval-secs", "5", "--election-timeout-ms", "1000"), 7), dir);
        System.out.println(Summary.faultSection(report));
        assertEquals(0, report.lost(), report.problems().toString());
        assertTrue(report.problems().isEmpty(), report.problems().toString());
        assertTrue(report.verdict().linearizable(), report.verdict().describe());
        assertTrue(report.acknowledgedWrites() > 0, "the clients got writes through");
    }
}
