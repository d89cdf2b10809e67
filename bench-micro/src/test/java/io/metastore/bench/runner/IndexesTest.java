package io.metastore.bench.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IndexesTest {

    @Test
    void theFirstRunReplacesNoneYetAndARerunReplacesItsOwnLine(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# results/\n\n## Runs\n\nNone yet.\n");

        Indexes.update(readme, "- [micro/a]", "- [micro/a] first");
        Indexes.update(readme, "- [micro/b]", "- [micro/b] second");
        Indexes.update(readme, "- [micro/a]", "- [micro/a] again");

        assertEquals("# results/\n\n## Runs\n\n- [micro/a] again\n- [micro/b] second\n", Files.readString(readme));
    }

    @Test
    void aReadmeWithoutARunsSectionGetsOne(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# profiles/\n\nText.\n");

        Indexes.update(readme, "- [micro/a]", "- [micro/a] flames");

        assertEquals("# profiles/\n\nText.\n\n## Runs\n\n- [micro/a] flames\n", Files.readString(readme));
    }
}
