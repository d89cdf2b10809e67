package io.metastore.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short gRPC fuzz of one member in the default build. */
class ShortFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedRequestsNeverCrashOrHangTheServerAndRefusedOnesChangeNothing() {
        GrpcFuzzer.Report report = GrpcFuzzer.run(6_000, dir, 11);
        System.out.println(Summary.fuzzSection(report));
        assertTrue(report.requests() > 20, "sent " + report.requests());
        assertTrue(report.passed(), report.problems().toString());
    }
}
