package io.metastore.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short fuzz of one member's JSON gateway in the default build. */
class ShortGatewayFuzzTest {
    @TempDir
    Path dir;

    @Test
    void malformedGatewayRequestsAreRefusedClearlyAndChangeNothing() {
        GatewayFuzzer.Report report = GatewayFuzzer.run(5_000, dir, 13);
        System.out.println(Summary.gatewayFuzzSection(report));
        assertTrue(report.requests() > 20, "sent " + report.requests());
        assertTrue(report.passed(), report.problems().toString());
    }
}
