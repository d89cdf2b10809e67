package io.metastore.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage boundary knows nothing of RocksDB: only the RocksDB engine's own package may import it. */
class EngineBoundaryImportsTest {

    private static final Path SOURCES = Path.of("src/main/java/io/metastore");

    @Test
    void onlyTheRocksPackageImportsRocksDb() throws IOException {
        List<String> offenders = new ArrayList<>();
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                scanned.add(f);
                boolean rocksPackage = f.startsWith(SOURCES.resolve("engine/rocksdb"));
                if (!rocksPackage && Files.readString(f).contains("org.rocksdb")) {
                    offenders.add(SOURCES.relativize(f).toString());
                }
            }
        }
        assertTrue(scanned.contains(SOURCES.resolve("engine/StorageEngine.java")), "the interface package was scanned: " + scanned);
        assertTrue(scanned.stream().anyMatch(p -> p.startsWith(SOURCES.resolve("mvcc"))), "the MVCC package was scanned");
        assertEquals(List.of(), offenders);
    }
}
