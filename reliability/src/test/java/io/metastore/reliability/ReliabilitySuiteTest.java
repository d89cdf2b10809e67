package io.metastore.reliability;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long suite, only with {@code -Preliability} (about 12 minutes on two cores): writes
 * results/reliability/&lt;date&gt;_&lt;sha&gt;/summary.md. Sizes: -Dreliability.faultRounds,
 * -Dreliability.crashKills, -Dreliability.fuzzSeconds, -Dreliability.seed.
 */
@Tag("long")
class ReliabilitySuiteTest {
    @TempDir
    Path dir;

    @Test
    void faultsCrashesAndFuzzLoseNothing() {
        ReliabilitySuite.Outcome o = ReliabilitySuite.run(ReliabilitySuite.Settings.fromSystemProperties(), dir,
                Path.of(System.getProperty("reliability.results", "../results/reliability")));
        System.out.println("summary: " + o.summary());
        assertTrue(o.passed(), "see " + o.summary());
    }
}
