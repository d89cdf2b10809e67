package io.metastore.mvcc;

import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.RecordingEngine.Op;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the store's writes and reads reach the engine under the Tier 1 switches and during compaction. */
class StoreWritePathTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long count(List<Op> ops, String kind, io.metastore.engine.Bucket bucket) {
        return ops.stream().filter(o -> o.is(kind, bucket)).count();
    }

    private static boolean writesMeta(List<Op> ops, byte[] key) {
        return ops.stream().anyMatch(o -> o.is("put", MvccStore.META_BUCKET) && java.util.Arrays.equals(o.key(), key));
    }

    /** Two requests of one transaction: three changes at revisions 2.0, 2.1 and 3.0. */
    private static void twoRequests(MvccStore store, long index) {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("a"), b("1"), 0, false, false);
            txn.put(b("b"), b("1"), 0, false, false);
            txn.endRequest();
            txn.deleteRange(b("a"), null);
            txn.commit(index);
        }
    }

    @Test
    void aWriteTransactionIsOneEngineBatchWithItsChangesRevisionAndAppliedIndex() {
        try (RecordingEngine engine = new RecordingEngine(new MemoryEngine(MemoryEngine.Locking.GLOBAL));
             MvccStore store = new MvccStore(engine, StoreOptions.defaults())) {
            twoRequests(store, 12);
            List<List<Op>> writes = engine.takeWrites();
            assertEquals(1, writes.size(), () -> "engine writes: " + writes);
            List<Op> batch = writes.get(0);
            assertEquals(3, count(batch, "put", MvccStore.KEY_BUCKET), batch::toString);
            assertTrue(writesMeta(batch, MvccStore.CURRENT_REVISION), batch::toString);
            assertTrue(writesMeta(batch, MvccStore.APPLIED_INDEX), batch::toString);
            assertEquals(5, batch.size(), batch::toString);
            assertEquals(3, store.currentRevision());
            assertEquals(12, store.appliedIndex());
        }
    }

    @Test
    void anEntryThatChangesNothingStillRecordsItsIndexInOneBatch() {
        try (RecordingEngine engine = new RecordingEngine(new MemoryEngine(MemoryEngine.Locking.GLOBAL));
             MvccStore store = new MvccStore(engine, StoreOptions.defaults())) {
            try (WriteTxn txn = store.beginWrite()) {
                txn.deleteRange(b("absent"), null);
                txn.commit(5);
            }
            List<List<Op>> writes = engine.takeWrites();
            assertEquals(1, writes.size(), () -> "engine writes: " + writes);
            assertEquals(1, writes.get(0).size(), () -> writes.get(0).toString());
            assertTrue(writesMeta(writes.get(0), MvccStore.APPLIED_INDEX));
            assertEquals(1, store.currentRevision());
        }
    }

    @Test
    void theUnbatchedBaselineWritesEveryChangeAloneThenTheBookkeeping() {
        try (RecordingEngine engine = new RecordingEngine(new MemoryEngine(MemoryEngine.Locking.GLOBAL));
             MvccStore store = new MvccStore(engine, StoreOptions.defaults().withBatchedWrites(false))) {
            twoRequests(store, 12);
            List<List<Op>> writes = engine.takeWrites();
            assertEquals(4, writes.size(), () -> "engine writes: " + writes);
            for (int i = 0; i < 3; i++) {
                assertEquals(1, writes.get(i).size());
                assertEquals(1, count(writes.get(i), "put", MvccStore.KEY_BUCKET));
            }
            assertTrue(writesMeta(writes.get(3), MvccStore.CURRENT_REVISION));
            assertTrue(writesMeta(writes.get(3), MvccStore.APPLIED_INDEX));
        }
    }

    @Test
    void aCachedRevisionIsNeverReadBackWhileAReadBackOneIsReadPerRequest() {
        for (boolean cached : new boolean[] {true, false}) {
            try (RecordingEngine engine = new RecordingEngine(new MemoryEngine(MemoryEngine.Locking.GLOBAL));
                 MvccStore store = new MvccStore(engine, StoreOptions.defaults().withCachedRevision(cached))) {
                twoRequests(store, 1);
                engine.metaGets.set(0);
                for (int i = 0; i < 10; i++) {
                    assertEquals(3, store.range(RangeQuery.key(b("b"))).revision());
                    assertEquals(3, store.currentRevision());
                }
                if (cached) {
                    assertEquals(0, engine.metaGets.get());
                } else {
                    assertTrue(engine.metaGets.get() >= 20, "meta reads: " + engine.metaGets.get());
                }
            }
        }
    }

    @Test
    void compactionDeletesInBoundedBatchesAndMarksTheEndInTheLast() throws Exception {
        int batchSize = 2;
        StoreOptions options = new StoreOptions(StoreOptions.Encoding.BINARY, true, true, true, batchSize, false);
        try (RecordingEngine engine = new RecordingEngine(new MemoryEngine(MemoryEngine.Locking.GLOBAL));
             MvccStore store = new MvccStore(engine, options)) {
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 10; k++) {
                    try (WriteTxn txn = store.beginWrite()) {
                        txn.put(b("k" + k), b("r" + round), 0, false, false);
                        txn.commit(0);
                    }
                }
            }
            engine.takeWrites();
            store.compact(store.currentRevision(), 0).get(10, TimeUnit.SECONDS);
            List<List<Op>> writes = engine.takeWrites();
            assertTrue(writesMeta(writes.get(0), MvccStore.COMPACT_REVISION), "the compaction is recorded first");
            assertEquals(0, count(writes.get(0), "deleteRange", MvccStore.KEY_BUCKET));
            List<List<Op>> deletes = writes.subList(1, writes.size());
            assertTrue(deletes.size() > 2, () -> "the deletes come in several batches: " + writes);
            for (int i = 0; i < deletes.size(); i++) {
                List<Op> batch = deletes.get(i);
                long ranges = count(batch, "deleteRange", MvccStore.KEY_BUCKET);
                assertTrue(ranges >= 1 && ranges <= batchSize, batch::toString);
                assertEquals(i == deletes.size() - 1, writesMeta(batch, MvccStore.FINISHED_COMPACT_REVISION),
                        batch::toString);
            }
            int[] stored = {0};
            engine.scan(MvccStore.KEY_BUCKET, new byte[0], null, (k, v) -> ++stored[0] > 0);
            assertEquals(10, stored[0]);
            assertEquals("r4", new String(store.range(RangeQuery.key(b("k3"))).kvs().get(0).value(),
                    StandardCharsets.UTF_8));
        }
    }
}
