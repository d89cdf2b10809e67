package io.metastore.mvcc;

import io.metastore.engine.memory.MemoryEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every combination of the store's Tier 1 switches gives the same answers: one scripted history
 * (transactions, deletes, re-creation, binary keys, ranges with every option at every revision,
 * compaction, reopen, snapshot and restore) is recorded under each combination and compared with
 * the recording under the defaults.
 */
class StoreOptionsCombinationsTest {

    private static final byte[] ALL = {0};
    private static List<Object> expected;

    static Stream<StoreOptions> combinations() {
        List<StoreOptions> all = new ArrayList<>();
        for (StoreOptions.Encoding encoding : StoreOptions.Encoding.values()) {
            for (int bits = 0; bits < 8; bits++) {
                all.add(new StoreOptions(encoding, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, 3, false));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void everyCombinationAnswersAsTheDefaultsDo(StoreOptions options) {
        List<Object> expected = expected();
        List<Object> actual = transcript(options);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "answer " + i);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static synchronized List<Object> expected() {
        if (expected == null) {
            expected = transcript(StoreOptions.defaults());
        }
        return expected;
    }

    private static void reads(MvccStore store, List<Object> out) {
        long current = store.currentRevision();
        out.add(current);
        for (long rev = Math.max(1, store.compactRevision()); rev <= current; rev++) {
            RangeQuery all = RangeQuery.of(ALL, ALL).atRevision(rev);
            out.add(store.range(all));
            out.add(store.range(all.withLimit(2).sorted(RangeQuery.SortOrder.DESCEND, RangeQuery.SortTarget.MOD)));
            out.add(store.range(all.withLimit(2).sorted(RangeQuery.SortOrder.NONE, RangeQuery.SortTarget.VERSION)));
            out.add(store.range(all.filtered(3, 0, 0, 0).withKeysOnly()));
            out.add(store.range(all.withCountOnly()));
        }
    }

    private static List<Object> transcript(StoreOptions options) {
        List<Object> out = new ArrayList<>();
        byte[] binary = {0x00, (byte) 0xff, (byte) 0xc3, 0x28};
        try (MemoryEngine engine = new MemoryEngine(MemoryEngine.Locking.GLOBAL)) {
            MvccStore store = new MvccStore(engine, options);
            long index = 0;
            for (int i = 0; i < 6; i++) {
                try (WriteTxn txn = store.beginWrite()) {
                    out.add(txn.put(b("k" + (i % 3)), b("v" + i), i, false, false));
                    if (i % 2 == 0) {
                        out.add(txn.endRequest());
                        out.add(txn.put(binary, b("bin" + i), 0, false, false));
                        out.add(txn.put(b("k" + (i % 3)), b("again" + i), 0, false, true));
                    }
                    out.add(txn.commit(++index));
                }
            }
            try (WriteTxn txn = store.beginWrite()) {
                out.add(txn.deleteRange(b("k0"), b("k2")));
                out.add(txn.range(RangeQuery.of(ALL, ALL)));
                out.add(txn.commit(++index));
            }
            try (WriteTxn txn = store.beginWrite()) {
                out.add(txn.put(b("k0"), new byte[0], 0, false, false));
                out.add(txn.put(new byte[1 << 16], b("large key"), 0, false, false));
                out.add(txn.commit(++index));
            }
            reads(store, out);
            out.add(store.history(2, Long.MAX_VALUE, ALL, ALL, 0));
            store.compact(6, ++index).join();
            reads(store, out);
            store.close();

            store = new MvccStore(engine, options);
            out.add(store.appliedIndex());
            out.add(store.compactRevision());
            reads(store, out);
            ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
            store.snapshot(snapshot);
            store.close();

            try (MemoryEngine other = new MemoryEngine(MemoryEngine.Locking.SHARDED);
                 MvccStore restored = new MvccStore(other, options)) {
                restored.restore(new ByteArrayInputStream(snapshot.toByteArray()));
                out.add(restored.appliedIndex());
                reads(restored, out);
                try (WriteTxn txn = restored.beginWrite()) {
                    out.add(txn.put(b("k1"), b("after restore"), 0, false, false));
                    out.add(txn.commit(++index));
                }
                reads(restored, out);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
