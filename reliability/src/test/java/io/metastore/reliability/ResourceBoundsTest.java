package io.metastore.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A smaller load of the bounded-memory check in the default build; the full one runs in the reliability suite. */
class ResourceBoundsTest {
    @TempDir
    Path dir;

    @Test
    void aMemberWithACappedHeapServesManyKeysLeasesAndWatchers() {
        ResourceBounds.Report report = ResourceBounds.run(new ResourceBounds.Plan(100_000, 10_000, 2_000, 20, 128, "rocksdb"), dir);
        System.out.println(Summary.boundsSection(report));
        assertTrue(report.passed(), report.problems().toString());
    }
}
