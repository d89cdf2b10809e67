package io.metastore.bench;

import io.metastore.engine.StorageEngine;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.engine.rocksdb.RocksEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.StoreOptions;
import io.metastore.mvcc.WriteTxn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An MVCC store on a named engine, for the store benchmarks: built in a {@code @Setup}, closed
 * and (for RocksDB) deleted from disk in the matching {@code @TearDown}. Failures are thrown, never
 * swallowed: a benchmark over a broken fixture must fail, not report a number.
 *
 * <p>Engine names: {@code memory-global} (one lock, the baseline), {@code memory-sharded}
 * (lock striping) and {@code rocksdb} (a fresh directory under the system temp dir).
 */
final class StoreFixture implements AutoCloseable {

    /** 10 prefixes of 100 keys each: {@code /bench/p03/k0042}. A prefix read returns 100 keys. */
    static final int PREFIXES = 10;
    static final int KEYS_PER_PREFIX = 100;
    static final int KEY_COUNT = PREFIXES * KEYS_PER_PREFIX;

    final StorageEngine engine;
    final MvccStore store;
    private final Path directory;

    private StoreFixture(StorageEngine engine, MvccStore store, Path directory) {
        this.engine = engine;
        this.store = store;
        this.directory = directory;
    }

    static StoreFixture open(String engineName, StoreOptions options) {
        Path dir = null;
        StorageEngine engine;
        switch (engineName) {
            case "memory-global" -> engine = new MemoryEngine(MemoryEngine.Locking.GLOBAL);
            case "memory-sharded" -> engine = new MemoryEngine(MemoryEngine.Locking.SHARDED);
            case "rocksdb" -> {
                try {
                    dir = Files.createTempDirectory("metastore-bench-rocksdb-");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                engine = new RocksEngine(dir);
            }
            default -> throw new IllegalArgumentException(
                    "unknown engine " + engineName + "; valid: memory-global, memory-sharded, rocksdb");
        }
        return new StoreFixture(engine, new MvccStore(engine, options), dir);
    }

    /** The key set: {@code /bench/pPP/kKKKK} for 10 prefixes of 100 keys, in key order. */
    static byte[][] keys() {
        byte[][] keys = new byte[KEY_COUNT][];
        for (int p = 0; p < PREFIXES; p++) {
            for (int k = 0; k < KEYS_PER_PREFIX; k++) {
                keys[p * KEYS_PER_PREFIX + k] = String.format("/bench/p%02d/k%04d", p, k)
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
        return keys;
    }

    /** {@code [from, to)} of every key under prefix {@code p}: {@code /bench/p03/} to {@code /bench/p030}. */
    static byte[][] prefixRange(int p) {
        byte[] from = String.format("/bench/p%02d/", p).getBytes(StandardCharsets.US_ASCII);
        byte[] to = from.clone();
        to[to.length - 1]++;
        return new byte[][] {from, to};
    }

    /** Writes every key once per pass, one write transaction per put; returns the revision after the first pass. */
    long preload(byte[][] keys, byte[] value, int passes) {
        long afterFirstPass = 0;
        for (int pass = 0; pass < passes; pass++) {
            for (byte[] key : keys) {
                put(key, value);
            }
            if (pass == 0) {
                afterFirstPass = store.currentRevision();
            }
        }
        return afterFirstPass;
    }

    void put(byte[] key, byte[] value) {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(key, value, 0, false, false);
            txn.commit(0);
        }
    }

    @Override
    public void close() {
        store.close();
        engine.close();
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> {
                    try {
                        Files.delete(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
