package io.metastore.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What every {@link StorageEngine} promises, run once per implementation and mode. */
abstract class StorageEngineContract {

    static final Bucket A = new Bucket("a");
    static final Bucket B = new Bucket("b");

    @TempDir
    Path dir;

    StorageEngine engine;

    abstract StorageEngine open(Path dir);

    abstract boolean persistent();

    @BeforeEach
    void start() {
        engine = open(dir);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void put(Bucket bucket, byte[] k, byte[] v) {
        try (WriteBatch batch = engine.newBatch()) {
            engine.write(batch.put(bucket, k, v));
        }
    }

    List<String> keys(ReadView view, Bucket bucket, byte[] from, byte[] to, boolean descending) {
        List<String> out = new ArrayList<>();
        EntryVisitor v = (k, val) -> out.add(new String(k, StandardCharsets.ISO_8859_1)) || true;
        if (descending) {
            view.scanDescending(bucket, from, to, v);
        } else {
            view.scan(bucket, from, to, v);
        }
        return out;
    }

    @Test
    void getReturnsWhatWasPutAndNullForAbsentKeysAndBuckets() {
        put(A, b("k"), b("v"));
        assertArrayEquals(b("v"), engine.get(A, b("k")));
        assertNull(engine.get(A, b("other")));
        assertNull(engine.get(new Bucket("never-written"), b("k")));
        put(A, b("k"), b("w"));
        assertArrayEquals(b("w"), engine.get(A, b("k")));
    }

    @Test
    void keysOrderAsUnsignedBytes() {
        byte[][] keys = {{(byte) 0xff}, {0x00}, {0x7f}, {(byte) 0x80}, {0x00, 0x00}, {}, {(byte) 0xff, 0x00}};
        try (WriteBatch batch = engine.newBatch()) {
            for (byte[] k : keys) {
                batch.put(A, k, b("v"));
            }
            engine.write(batch);
        }
        List<byte[]> seen = new ArrayList<>();
        engine.scan(A, new byte[0], null, (k, v) -> seen.add(k));
        byte[][] expected = {{}, {0x00}, {0x00, 0x00}, {0x7f}, {(byte) 0x80}, {(byte) 0xff}, {(byte) 0xff, 0x00}};
        assertEquals(expected.length, seen.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], seen.get(i), "position " + i);
        }
    }

    @Test
    void scanBoundsAreInclusiveExclusive() {
        for (String k : List.of("a", "b", "c", "d")) {
            put(A, b(k), b(k));
        }
        assertEquals(List.of("b", "c"), keys(engine, A, b("b"), b("d"), false));
        assertEquals(List.of("b", "c", "d"), keys(engine, A, b("b"), null, false));
        assertEquals(List.of("a", "b", "c", "d"), keys(engine, A, new byte[0], null, false));
        assertEquals(List.of(), keys(engine, A, b("c"), b("c"), false));
        assertEquals(List.of(), keys(engine, A, b("d"), b("a"), false));
        assertEquals(List.of("c", "b"), keys(engine, A, b("b"), b("d"), true));
        assertEquals(List.of("d", "c", "b", "a"), keys(engine, A, new byte[0], null, true));
        assertEquals(List.of("b", "a"), keys(engine, A, new byte[0], b("bb"), true));
    }

    @Test
    void visitorCanStopAScan() {
        for (String k : List.of("a", "b", "c")) {
            put(A, b(k), b(k));
        }
        List<String> seen = new ArrayList<>();
        engine.scan(A, new byte[0], null, (k, v) -> {
            seen.add(new String(k, StandardCharsets.UTF_8));
            return seen.size() < 2;
        });
        assertEquals(List.of("a", "b"), seen);
    }

    @Test
    void batchAppliesInOrderAndAtomically() {
        put(A, b("gone"), b("x"));
        try (WriteBatch batch = engine.newBatch()) {
            batch.put(A, b("k"), b("1")).delete(A, b("k"))
                    .delete(A, b("gone")).put(A, b("gone"), b("back"))
                    .put(B, b("other"), b("bucket"))
                    .delete(A, b("never-there"));
            assertEquals(6, batch.count());
            engine.write(batch);
        }
        assertNull(engine.get(A, b("k")));
        assertArrayEquals(b("back"), engine.get(A, b("gone")));
        assertArrayEquals(b("bucket"), engine.get(B, b("other")));
        assertNull(engine.get(A, b("other")), "buckets are independent");
    }

    @Test
    void deleteRangeRemovesExactlyTheRange() {
        for (String k : List.of("a", "b", "c", "d")) {
            put(A, b(k), b(k));
        }
        try (WriteBatch batch = engine.newBatch()) {
            engine.write(batch.deleteRange(A, b("b"), b("d")).deleteRange(new Bucket("absent"), b("a"), b("z")));
        }
        assertEquals(List.of("a", "d"), keys(engine, A, new byte[0], null, false));
    }

    @Test
    void snapshotIsolatesFromLaterWritesAcrossBuckets() {
        put(A, b("k"), b("old"));
        put(B, b("k"), b("old"));
        try (EngineSnapshot snap = engine.snapshot()) {
            try (WriteBatch batch = engine.newBatch()) {
                engine.write(batch.put(A, b("k"), b("new")).put(B, b("k2"), b("new")).delete(B, b("k")));
            }
            assertArrayEquals(b("old"), snap.get(A, b("k")));
            assertArrayEquals(b("old"), snap.get(B, b("k")));
            assertNull(snap.get(B, b("k2")));
            assertEquals(List.of("k"), keys(snap, B, new byte[0], null, false));
            assertEquals(List.of("k"), keys(snap, B, new byte[0], null, true));
        }
        assertArrayEquals(b("new"), engine.get(A, b("k")));
    }

    @Test
    void bucketsListsWhatWasWritten() {
        put(A, b("k"), b("v"));
        put(B, b("k"), b("v"));
        assertTrue(engine.buckets().containsAll(List.of(A, B)));
        assertTrue(engine.buckets().size() >= 2);
    }

    @Test
    void emptyAndLargeValues() {
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        put(A, b("empty"), new byte[0]);
        put(A, b("big"), big);
        assertArrayEquals(new byte[0], engine.get(A, b("empty")));
        assertArrayEquals(big, engine.get(A, b("big")));
    }

    @Test
    void approximateSizeGrowsWithData() {
        long before = engine.approximateSizeBytes();
        java.util.Random random = new java.util.Random(7); // incompressible values: RocksDB compresses
        try (WriteBatch batch = engine.newBatch()) {
            for (int i = 0; i < 1000; i++) {
                byte[] value = new byte[4096];
                random.nextBytes(value);
                batch.put(A, b("key-" + i), value);
            }
            engine.write(batch);
        }
        engine.defragment(); // flushes RocksDB's memtable into files; a no-op in memory
        assertTrue(engine.approximateSizeBytes() > before + 1_000_000, "size " + engine.approximateSizeBytes());
    }

    @Test
    void concurrentReadersDuringWritesSeeWholeValues() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    engine.scan(A, new byte[0], null, (k, v) -> {
                        if (v.length != 8) {
                            failure.compareAndSet(null, new AssertionError("value of length " + v.length));
                        }
                        return true;
                    });
                    engine.get(A, b("key-1"));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 2000; i++) {
                try (WriteBatch batch = engine.newBatch()) {
                    engine.write(batch.put(A, b("key-" + (i % 50)), new byte[8]).delete(A, b("key-" + ((i + 25) % 50))));
                }
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertNull(failure.get());
    }

    @Test
    void reopeningFindsTheSameDataAndBuckets() {
        assumeTrue(persistent(), "only engines that keep data across a reopen");
        put(A, b("k"), b("v"));
        put(B, new byte[] {0, (byte) 0xff}, b("w"));
        engine.close();
        engine = open(dir);
        assertArrayEquals(b("v"), engine.get(A, b("k")));
        assertArrayEquals(b("w"), engine.get(B, new byte[] {0, (byte) 0xff}));
        assertTrue(engine.buckets().containsAll(List.of(A, B)));
    }
}
