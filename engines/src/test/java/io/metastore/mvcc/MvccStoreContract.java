package io.metastore.mvcc;

import io.metastore.engine.StorageEngine;
import io.metastore.mvcc.RangeQuery.SortOrder;
import io.metastore.mvcc.RangeQuery.SortTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MVCC store's behaviour, run once per engine and store-option combination. Expected
 * answers were taken from etcd 3.4 where etcd answers the same question (noted per test).
 */
abstract class MvccStoreContract {

    @TempDir
    Path dir;

    StorageEngine engine;
    MvccStore store;

    /** Opens (or reopens) the engine under test on {@code dir}. */
    abstract StorageEngine openEngine(Path dir);

    /** Whether closing and reopening the engine on the same directory keeps its data. */
    abstract boolean persistent();

    abstract StoreOptions options();

    @BeforeEach
    void open() {
        engine = openEngine(dir.resolve("engine"));
        store = new MvccStore(engine, options());
    }

    @AfterEach
    void close() {
        store.close();
        engine.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    long put(String k, String v) {
        return put(b(k), b(v), 0);
    }

    long put(byte[] k, byte[] v, long lease) {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(k, v, lease, false, false);
            return txn.commit(0).revision();
        }
    }

    WriteResult delete(String k, String end) {
        try (WriteTxn txn = store.beginWrite()) {
            txn.deleteRange(b(k), end == null ? null : b(end));
            return txn.commit(0);
        }
    }

    KeyValue get(String k) {
        List<KeyValue> kvs = store.range(RangeQuery.key(b(k))).kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    List<String> keys(RangeResult r) {
        List<String> out = new ArrayList<>();
        r.kvs().forEach(kv -> out.add(s(kv.key())));
        return out;
    }

    int storedRevisions() {
        int[] n = {0};
        engine.scan(MvccStore.KEY_BUCKET, new byte[0], null, (k, v) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    // ------------------------------------------------------------------ history and auxiliary records

    @Test
    void historyListsChangesInRevisionOrderForTheSelectedKeys() {
        put("a", "1");                      // 2
        put("b", "1");                      // 3
        try (WriteTxn txn = store.beginWrite()) {   // 4: two changes at one revision
            txn.put(b("a"), b("2"), 0, false, false);
            txn.deleteRange(b("b"), null);
            txn.commit(0);
        }
        put("c", "1");                      // 5
        List<Event> all = store.history(2, 100, b("a"), new byte[] {0}, 0);
        assertEquals(List.of("PUT a 2", "PUT b 3", "PUT a 4", "DELETE b 4", "PUT c 5"),
                all.stream().map(e -> e.type() + " " + s(e.kv().key()) + " " + e.kv().modRevision()).toList());
        assertEquals("2", s(all.get(2).kv().value()));
        List<Event> onlyA = store.history(3, 4, b("a"), null, 0);
        assertEquals(1, onlyA.size());
        assertEquals(4, onlyA.get(0).kv().modRevision());
        assertEquals(2, store.history(2, 100, b("a"), new byte[] {0}, 2).size());
        assertTrue(store.history(6, 100, b("a"), new byte[] {0}, 0).isEmpty());
        store.compact(4, 0).join();
        assertThrows(MvccException.Compacted.class, () -> store.history(4, 100, b("a"), new byte[] {0}, 0));
        assertEquals(1, store.history(5, 100, b("a"), new byte[] {0}, 0).size());
    }

    @Test
    void auxiliaryRecordsCommitWithTheTransactionAndTakeNoRevision() {
        try (WriteTxn txn = store.beginWrite()) {
            txn.putAux(b("lease/1"), b("x"));
            txn.putAux(b("lease/2"), b("y"));
            txn.putAux(b("other"), b("z"));
            txn.commit(7);
        }
        assertEquals(1, store.currentRevision());
        assertEquals(7, store.appliedIndex());
        List<String> seen = new ArrayList<>();
        store.scanAux(b("lease/"), (k, v) -> seen.add(s(k) + "=" + s(v)) || true);
        assertEquals(List.of("lease/1=x", "lease/2=y"), seen);
        try (WriteTxn txn = store.beginWrite()) {
            txn.deleteAux(b("lease/1"));
            txn.commit(8);
        }
        seen.clear();
        store.scanAux(b(""), (k, v) -> seen.add(s(k)) || true);
        assertEquals(List.of("lease/2", "other"), seen);
    }

    // ------------------------------------------------------------------ revisions and versions

    @Test
    void emptyStoreStartsAtRevisionOne() {
        assertEquals(1, store.currentRevision());
        assertEquals(-1, store.compactRevision());
        assertEquals(0, store.range(RangeQuery.of(new byte[] {0}, new byte[] {0})).count());
    }

    @Test
    void putAssignsRevisionVersionAndCreateRevision() {
        assertEquals(2, put("foo", "a"));
        assertEquals(3, put("bar", "b"));
        assertEquals(4, put("foo", "c"));
        KeyValue foo = get("foo");
        assertEquals(2, foo.createRevision());
        assertEquals(4, foo.modRevision());
        assertEquals(2, foo.version());
        assertEquals("c", s(foo.value()));
        assertEquals(4, store.currentRevision());
    }

    @Test
    void rangeAtPastRevisionSeesTheValueOfThatTime() {
        put("foo", "a");
        put("foo", "b");
        put("foo", "c");
        RangeResult r = store.range(RangeQuery.key(b("foo")).atRevision(3));
        assertEquals("b", s(r.kvs().get(0).value()));
        assertEquals(2, r.kvs().get(0).version());
        assertEquals(4, r.revision(), "the header revision is the current one, not the one read");
        assertTrue(store.range(RangeQuery.key(b("foo")).atRevision(1)).kvs().isEmpty());
    }

    @Test
    void deleteEndsTheGenerationAndRecreateStartsANewOne() {
        put("foo", "a");        // 2
        put("foo", "b");        // 3
        WriteResult del = delete("foo", null); // 4
        assertEquals(4, del.revision());
        assertNull(get("foo"));
        assertEquals(5, put("foo", "c"));
        KeyValue foo = get("foo");
        assertEquals(5, foo.createRevision());
        assertEquals(1, foo.version());
        assertTrue(store.range(RangeQuery.key(b("foo")).atRevision(4)).kvs().isEmpty());
        assertEquals(2, store.range(RangeQuery.key(b("foo")).atRevision(3)).kvs().get(0).version());
    }

    @Test
    void onDemandPreviousReadsTheLastVersionOnlyWhenAskedAndKeepsCreateRevisionAndVersion() {
        StorageEngine other = openEngine(dir.resolve("on-demand"));
        try (MvccStore lazy = new MvccStore(other, options().withOnDemandPrevious(true))) {
            try (WriteTxn txn = lazy.beginWrite()) {
                txn.put(b("a"), b("1"), 0, false, false, false);
                txn.put(b("b"), b("1"), 0, false, false, false);
                txn.commit(0);
            }
            try (WriteTxn txn = lazy.beginWrite()) {
                PutResult unasked = txn.put(b("a"), b("2"), 0, false, false, false);
                assertNull(unasked.prevKv(), "not read when not asked for");
                PutResult asked = txn.put(b("b"), b("2"), 0, false, false, true);
                assertEquals("1", s(asked.prevKv().value()));
                WriteResult w = txn.commit(0);
                assertNull(w.events().get(0).prevKv());
                assertEquals("1", s(w.events().get(1).prevKv().value()));
                KeyValue a2 = w.events().get(0).kv();
                assertEquals(2, a2.createRevision(), "the create revision comes from the index");
                assertEquals(2, a2.version(), "so does the version");
            }
            try (WriteTxn txn = lazy.beginWrite()) {
                // keeping the value or the lease needs the previous version whatever the caller asked
                txn.put(b("a"), new byte[0], 7, true, false, false);
                DeleteResult d = txn.deleteRange(b("b"), null, false);
                assertEquals(1, d.deleted());
                assertTrue(d.prevKvs().isEmpty());
                WriteResult w = txn.commit(0);
                assertEquals("2", s(w.events().get(0).kv().value()));
                assertEquals(7, w.events().get(0).kv().lease());
                assertEquals(3, w.events().get(0).kv().version());
                assertNull(w.events().get(1).prevKv());
            }
        } finally {
            other.close();
        }
        // without the option, every write reads it, asked or not
        put("x", "1");
        try (WriteTxn txn = store.beginWrite()) {
            assertEquals("1", s(txn.put(b("x"), b("2"), 0, false, false, false).prevKv().value()));
            assertEquals(List.of("2"), txn.deleteRange(b("x"), null, false).prevKvs().stream().map(kv -> s(kv.value())).toList());
            txn.commit(0);
        }
    }

    @Test
    void deletingNothingDoesNotAdvanceTheRevision() {
        put("foo", "a");
        WriteResult r = delete("nothing", null);
        assertEquals(2, r.revision());
        assertTrue(r.events().isEmpty());
        assertEquals(2, store.currentRevision());
    }

    @Test
    void deleteRangeDeletesEveryKeyAtOneRevisionWithPrevKvs() {
        put("a", "1");
        put("b", "2");
        put("c", "3");
        try (WriteTxn txn = store.beginWrite()) {
            DeleteResult d = txn.deleteRange(b("a"), b("c"));
            assertEquals(2, d.deleted());
            assertEquals(List.of("1", "2"), d.prevKvs().stream().map(kv -> s(kv.value())).toList());
            WriteResult w = txn.commit(0);
            assertEquals(5, w.revision());
            assertEquals(2, w.events().size());
            Event e = w.events().get(0);
            assertEquals(Event.Type.DELETE, e.type());
            assertEquals("a", s(e.kv().key()));
            assertEquals(5, e.kv().modRevision());
            assertEquals(0, e.kv().version());
            assertEquals("1", s(e.prevKv().value()));
        }
        assertEquals(List.of("c"), keys(store.range(RangeQuery.of(new byte[] {0}, new byte[] {0}))));
    }

    // ------------------------------------------------------------------ write transactions

    @Test
    void changesOfOneTransactionShareTheRevisionWithIncreasingSubRevisions() {
        put("x", "0");
        try (WriteTxn txn = store.beginWrite()) {
            assertEquals(2, txn.revision());
            txn.put(b("a"), b("1"), 0, false, false);
            assertEquals(3, txn.revision());
            txn.put(b("b"), b("2"), 0, false, false);
            txn.deleteRange(b("x"), null);
            WriteResult w = txn.commit(0);
            assertEquals(3, w.revision());
            assertEquals(List.of(Event.Type.PUT, Event.Type.PUT, Event.Type.DELETE), w.events().stream().map(Event::type).toList());
        }
        assertEquals(3, get("a").modRevision());
        assertEquals(3, get("b").modRevision());
        // Sub revisions are distinct stored entries: x@2, a@3.0, b@3.1, x-tombstone@3.2.
        assertEquals(4, storedRevisions());
    }

    @Test
    void rangeInsideATransactionSeesItsEarlierChanges() {
        put("a", "old");
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("a"), b("new"), 0, false, false);
            txn.put(b("b"), b("fresh"), 0, false, false);
            RangeResult inside = txn.range(RangeQuery.of(b("a"), b("z")));
            assertEquals(List.of("new", "fresh"), inside.kvs().stream().map(kv -> s(kv.value())).toList());
            assertEquals(3, inside.revision());
            // Nothing is visible outside before the commit.
            assertEquals("old", s(get("a").value()));
            assertNull(get("b"));
            txn.commit(0);
        }
        assertEquals("new", s(get("a").value()));
    }

    @Test
    void requestsOfOneTransactionGetConsecutiveRevisionsAndShareOneCommit() {
        put("a", "0"); // 2
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("a"), b("1"), 0, false, false);
            WriteResult first = txn.endRequest();
            assertEquals(3, first.revision());
            assertEquals(1, first.events().size());
            WriteResult empty = txn.endRequest();
            assertEquals(3, empty.revision(), "a request that changes nothing keeps the revision");
            assertEquals("1", s(txn.range(RangeQuery.key(b("a"))).kvs().get(0).value()));
            txn.deleteRange(b("a"), null);
            txn.put(b("b"), b("2"), 0, false, false);
            assertEquals(2, store.currentRevision(), "nothing is published before the commit");
            WriteResult last = txn.commit(10);
            assertEquals(4, last.revision());
            assertEquals(List.of(Event.Type.DELETE, Event.Type.PUT), last.events().stream().map(Event::type).toList());
            assertEquals("1", s(last.events().get(0).prevKv().value()));
        }
        assertEquals(4, store.currentRevision());
        assertEquals(10, store.appliedIndex());
        assertEquals("1", s(store.range(RangeQuery.key(b("a")).atRevision(3)).kvs().get(0).value()));
        assertNull(get("a"));
        assertEquals(4, get("b").createRevision());
    }

    @Test
    void abandoningATransactionAfterAnEndedRequestStopsTheStore() {
        put("k", "v");
        try (WriteTxn txn = store.beginWrite()) {
            txn.deleteRange(b("k"), null);
            txn.endRequest();
        }
        assertThrows(IllegalStateException.class, () -> store.range(RangeQuery.key(b("k"))));
    }

    @Test
    void twoPutsToOneKeyInOneTransactionCountTwoVersions() {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("k"), b("1"), 0, false, false);
            PutResult second = txn.put(b("k"), b("2"), 0, false, false);
            assertEquals("1", s(second.prevKv().value()));
            txn.commit(0);
        }
        KeyValue k = get("k");
        assertEquals(2, k.version());
        assertEquals(2, k.createRevision());
        assertEquals("2", s(k.value()));
    }

    @Test
    void putEventsCarryThePreviousVersion() {
        put("k", "1");
        try (WriteTxn txn = store.beginWrite()) {
            PutResult p = txn.put(b("k"), b("2"), 0, false, false);
            assertEquals("1", s(p.prevKv().value()));
            Event e = txn.commit(0).events().get(0);
            assertEquals(Event.Type.PUT, e.type());
            assertEquals("2", s(e.kv().value()));
            assertEquals("1", s(e.prevKv().value()));
        }
        try (WriteTxn txn = store.beginWrite()) {
            assertNull(txn.put(b("new"), b("v"), 0, false, false).prevKv());
            assertNull(txn.commit(0).events().get(0).prevKv());
        }
    }

    @Test
    void ignoreValueAndIgnoreLeaseKeepWhatTheKeyHas() {
        put(b("k"), b("v"), 7);
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("k"), new byte[0], 9, true, false);
            txn.commit(0);
        }
        assertEquals("v", s(get("k").value()));
        assertEquals(9, get("k").lease());
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("k"), b("w"), 0, false, true);
            txn.commit(0);
        }
        assertEquals("w", s(get("k").value()));
        assertEquals(9, get("k").lease());
        assertEquals(3, get("k").version());
    }

    @Test
    void ignoreFlagsOnAMissingKeyFailWithoutChangingAnything() {
        long before = store.currentRevision();
        try (WriteTxn txn = store.beginWrite()) {
            assertThrows(MvccException.KeyNotFound.class, () -> txn.put(b("missing"), b(""), 0, true, false));
            assertThrows(MvccException.KeyNotFound.class, () -> txn.put(b("missing"), b("v"), 0, false, true));
            assertEquals(0, txn.changes());
            txn.commit(0);
        }
        assertEquals(before, store.currentRevision());
        assertNull(get("missing"));
        put("still", "works");
    }

    @Test
    void abandoningATransactionAfterAChangeStopsTheStore() {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("k"), b("v"), 0, false, false);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.range(RangeQuery.key(b("k"))));
        assertTrue(e.getMessage().contains("abandoned"), e.getMessage());
        assertThrows(IllegalStateException.class, store::beginWrite);
    }

    @Test
    void abandoningAnUnchangedTransactionIsHarmless() {
        try (WriteTxn txn = store.beginWrite()) {
            txn.range(RangeQuery.key(b("k")));
        }
        assertEquals(2, put("k", "v"));
    }

    @Test
    void commitRecordsTheAppliedIndex() {
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("k"), b("v"), 0, false, false);
            txn.commit(42);
        }
        assertEquals(42, store.appliedIndex());
        try (WriteTxn txn = store.beginWrite()) {
            txn.commit(43); // an entry that changes nothing still moves the index
        }
        assertEquals(43, store.appliedIndex());
        assertEquals(2, store.currentRevision());
    }

    // ------------------------------------------------------------------ range options (etcd 3.4's answers)

    /** a, b, c, d, e written in order, then b, d, d again: as in the etcd session these answers come from. */
    void fiveKeys() {
        for (String k : List.of("a", "b", "c", "d", "e")) {
            put(k, "v" + k);       // revisions 2..6
        }
        put("b", "vb2");           // 7
        put("d", "vd2");           // 8
        put("d", "vd3");           // 9
    }

    RangeQuery az() {
        return RangeQuery.of(b("a"), b("z"));
    }

    @Test
    void limitCutsTheResultAndSetsMoreWhileCountCountsAll() {
        fiveKeys();
        RangeResult r = store.range(az().withLimit(2));
        assertEquals(List.of("a", "b"), keys(r));
        assertTrue(r.more());
        assertEquals(5, r.count());
        RangeResult exact = store.range(az().withLimit(5));
        assertFalse(exact.more());
        assertEquals(5, exact.kvs().size());
    }

    @Test
    void sortTargetWithoutOrderSortsAscendingAfterTheLimitedFetch() {
        fiveKeys();
        // etcd fetches limit+1 keys in key order (a, b, c), then sorts them by version: a(1), c(1), b(2).
        RangeResult r = store.range(az().withLimit(2).sorted(SortOrder.NONE, SortTarget.VERSION));
        assertEquals(List.of("a", "c"), keys(r));
        assertTrue(r.more());
        assertEquals(5, r.count());
    }

    @Test
    void explicitSortOrderSortsEveryKeyBeforeTheLimit() {
        fiveKeys();
        RangeResult r = store.range(az().withLimit(2).sorted(SortOrder.DESCEND, SortTarget.VERSION));
        assertEquals(List.of("d", "b"), keys(r));
        assertTrue(r.more());
        assertEquals(List.of("e", "d", "c", "b", "a"), keys(store.range(az().sorted(SortOrder.DESCEND, SortTarget.KEY))));
        assertEquals(List.of("a", "c", "e", "b", "d"), keys(store.range(az().sorted(SortOrder.ASCEND, SortTarget.MOD))));
        assertEquals(List.of("a", "b", "c", "d", "e"), keys(store.range(az().sorted(SortOrder.ASCEND, SortTarget.CREATE))));
        assertEquals(List.of("e", "d", "c", "b", "a"), keys(store.range(az().sorted(SortOrder.DESCEND, SortTarget.VALUE))));
    }

    @Test
    void revisionFiltersPruneAfterCountingSoCountIncludesPrunedKeys() {
        fiveKeys();
        RangeResult r = store.range(az().filtered(5, 0, 0, 0));
        assertEquals(List.of("b", "d", "e"), keys(r));
        assertEquals(5, r.count());
        assertFalse(r.more());
        RangeResult limited = store.range(az().filtered(5, 0, 0, 0).withLimit(1));
        assertEquals(List.of("b"), keys(limited));
        assertTrue(limited.more());
        assertEquals(List.of("a", "c"), keys(store.range(az().filtered(0, 4, 0, 0))));
        assertEquals(List.of("d", "e"), keys(store.range(az().filtered(0, 0, 5, 0))));
        assertEquals(List.of("a", "b"), keys(store.range(az().filtered(0, 0, 0, 3))));
    }

    @Test
    void countOnlyReturnsTheCountAndNoKeys() {
        fiveKeys();
        RangeResult r = store.range(az().withCountOnly().withLimit(1));
        assertEquals(5, r.count());
        assertTrue(r.kvs().isEmpty());
        assertFalse(r.more());
        assertEquals(1, store.range(RangeQuery.key(b("c")).withCountOnly()).count());
    }

    @Test
    void keysOnlyDropsValuesButKeepsMetadata() {
        fiveKeys();
        KeyValue kv = store.range(RangeQuery.key(b("b")).withKeysOnly()).kvs().get(0);
        assertEquals(0, kv.value().length);
        assertEquals(2, kv.version());
        assertEquals(7, kv.modRevision());
    }

    @Test
    void rangeEndConventions() {
        fiveKeys();
        assertEquals(List.of("c", "d", "e"), keys(store.range(RangeQuery.of(b("c"), new byte[] {0}))), "\\0 reads from the key on");
        assertEquals(List.of("a", "b", "c", "d", "e"), keys(store.range(RangeQuery.of(new byte[] {0}, new byte[] {0}))));
        RangeResult inverted = store.range(RangeQuery.of(b("z"), b("a")));
        assertTrue(inverted.kvs().isEmpty());
        assertEquals(0, inverted.count());
        assertEquals(List.of("b"), keys(store.range(RangeQuery.of(b("b"), b("c")))), "the end is exclusive");
        assertEquals(0, store.range(RangeQuery.key(b("q"))).count());
    }

    @Test
    void binaryKeysOrderAsUnsignedBytes() {
        byte[] zero = {0};
        byte[] high = {(byte) 0xff};
        byte[] prefixHigh = {(byte) 0xff, (byte) 0xff, 0x00};
        byte[] invalidUtf8 = {(byte) 0xc3, (byte) 0x28};
        put(high, b("h"), 0);
        put(zero, b("z"), 0);
        put(invalidUtf8, b("u"), 0);
        put(prefixHigh, b("p"), 0);
        List<KeyValue> all = store.range(RangeQuery.of(new byte[] {0}, new byte[] {0})).kvs();
        assertArrayEquals(zero, all.get(0).key());
        assertArrayEquals(invalidUtf8, all.get(1).key());
        assertArrayEquals(high, all.get(2).key());
        assertArrayEquals(prefixHigh, all.get(3).key());
        assertEquals(2, store.range(RangeQuery.of(high, Bytes.prefixEnd(high))).count());
        assertArrayEquals(new byte[] {0}, Bytes.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff}));
        assertArrayEquals(b("ac"), Bytes.prefixEnd(new byte[] {'a', 'b', (byte) 0xff}));
    }

    @Test
    void emptyAndLargeValuesRoundTrip() {
        put(b("empty"), new byte[0], 0);
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        put(b("big"), big, 0);
        assertEquals(0, get("empty").value().length);
        assertArrayEquals(big, get("big").value());
    }

    @Test
    void futureRevisionIsRefused() {
        put("k", "v");
        assertThrows(MvccException.FutureRevision.class, () -> store.range(RangeQuery.key(b("k")).atRevision(3)));
        assertEquals("mvcc: required revision is a future revision",
                assertThrows(MvccException.class, () -> store.range(RangeQuery.key(b("k")).atRevision(99))).getMessage());
    }

    // ------------------------------------------------------------------ compaction

    @Test
    void compactionRemovesSupersededRevisionsAndKeepsTheLatest() throws Exception {
        put("a", "1");        // 2
        put("a", "2");        // 3
        put("b", "1");        // 4
        delete("b", null);    // 5
        put("c", "1");        // 6
        put("a", "3");        // 7
        store.compact(6, 0).get(10, TimeUnit.SECONDS);
        assertEquals(6, store.compactRevision());
        // a@3 (latest of a at 6) and c@6 stay, a@7 is newer; b's whole generation ended at 5 and goes.
        assertEquals(3, storedRevisions());
        assertEquals("2", s(store.range(RangeQuery.key(b("a")).atRevision(6)).kvs().get(0).value()));
        assertEquals("3", s(get("a").value()));
        assertEquals(3, get("a").version());
        assertEquals(List.of("a", "c"), keys(store.range(RangeQuery.of(new byte[] {0}, new byte[] {0}).atRevision(6))));
        assertTrue(store.range(RangeQuery.key(b("b")).atRevision(6)).kvs().isEmpty());
    }

    @Test
    void readsBelowTheCompactionRevisionFailWithEtcdsError() throws Exception {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        store.compact(3, 0).get(10, TimeUnit.SECONDS);
        MvccException e = assertThrows(MvccException.Compacted.class, () -> store.range(RangeQuery.key(b("a")).atRevision(2)));
        assertEquals("mvcc: required revision has been compacted", e.getMessage());
        assertEquals("2", s(store.range(RangeQuery.key(b("a")).atRevision(3)).kvs().get(0).value()), "the compaction revision itself is readable");
    }

    @Test
    void compactingToTheSameOrAnOlderRevisionFailsAsCompacted() throws Exception {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        store.compact(3, 0).get(10, TimeUnit.SECONDS);
        assertThrows(MvccException.Compacted.class, () -> store.compact(3, 0));
        assertThrows(MvccException.Compacted.class, () -> store.compact(2, 0));
        assertThrows(MvccException.FutureRevision.class, () -> store.compact(5, 0));
        assertEquals(3, store.compactRevision());
    }

    @Test
    void compactingAFreshStoreAtZeroAndOneIsAllowedOnce() {
        // etcd 3.4: "compact 0" and "compact 1" succeed on a new cluster; repeating "compact 1" is refused.
        store.compact(0, 0).join();
        store.compact(1, 0).join();
        assertThrows(MvccException.Compacted.class, () -> store.compact(1, 0));
        assertThrows(MvccException.FutureRevision.class, () -> store.compact(2, 0));
    }

    @Test
    void compactionOfADeletedKeyRemovesItFromHistory() throws Exception {
        put("k", "1");           // 2
        delete("k", null);       // 3
        put("other", "x");       // 4
        store.compact(4, 0).get(10, TimeUnit.SECONDS);
        assertEquals(1, storedRevisions());
        assertEquals(5, put("k", "again"), "the key comes back as a new generation");
        assertEquals(1, get("k").version());
        assertEquals(5, get("k").createRevision());
    }

    @Test
    void compactionAtATombstoneRevisionRemovesTheKeyEntirely() throws Exception {
        // etcd 3.4: put k, put k, del k (4), put o (5), compact 4; get k --rev 4 and get o --rev 4 are
        // empty, a new put of k creates it again at 6 with version 1, and compact 4 or 3 again fails.
        put("k", "1");           // 2
        put("k", "2");           // 3
        delete("k", null);       // 4
        put("o", "x");           // 5
        store.compact(4, 0).get(10, TimeUnit.SECONDS);
        assertEquals(1, storedRevisions(), "only o@5 is left");
        assertTrue(store.range(RangeQuery.key(b("k")).atRevision(4)).kvs().isEmpty());
        assertTrue(store.range(RangeQuery.key(b("o")).atRevision(4)).kvs().isEmpty());
        assertEquals(6, put("k", "again"));
        assertEquals(6, get("k").createRevision());
        assertEquals(1, get("k").version());
        assertThrows(MvccException.Compacted.class, () -> store.compact(4, 0));
        assertThrows(MvccException.Compacted.class, () -> store.compact(3, 0));
        assertThrows(MvccException.FutureRevision.class, () -> store.compact(99, 0));
    }

    @Test
    void anAcceptedCompactionWhoseDeletesNeverRanFinishesWhenTheStoreOpens() throws Exception {
        for (int i = 0; i < 20; i++) {
            put("k" + (i % 2), "v" + i); // revisions 2..21: k0 at even, k1 at odd revisions
        }
        // As if the node stopped right after accepting a compaction at 11, before any delete.
        try (io.metastore.engine.WriteBatch batch = engine.newBatch()) {
            engine.write(batch.put(MvccStore.META_BUCKET, MvccStore.COMPACT_REVISION, MvccStore.longBytes(11)));
        }
        store.close();
        if (persistent()) {
            engine.close();
            engine = openEngine(dir.resolve("engine"));
        }
        store = new MvccStore(engine, options());
        assertEquals(11, store.compactRevision());
        assertThrows(MvccException.Compacted.class, () -> store.range(RangeQuery.key(b("k0")).atRevision(10)));
        assertEquals("v9", s(store.range(RangeQuery.key(b("k1")).atRevision(11)).kvs().get(0).value()));
        // k0@10 and k1@11 stay, with the ten revisions above 11.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.get(MvccStore.META_BUCKET, MvccStore.FINISHED_COMPACT_REVISION) == null
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertArrayEquals(MvccStore.longBytes(11), engine.get(MvccStore.META_BUCKET, MvccStore.FINISHED_COMPACT_REVISION));
        assertEquals(12, storedRevisions());
        assertEquals("v8", s(store.range(RangeQuery.key(b("k0")).atRevision(11)).kvs().get(0).value()));
        assertEquals("v19", s(get("k1").value()));
    }

    @Test
    void compactionOfManyRevisionsKeepsOneRevisionPerLiveKey() throws Exception {
        int keys = 100;
        int rounds = 50;
        for (int r = 0; r < rounds; r++) {
            try (WriteTxn txn = store.beginWrite()) {
                for (int k = 0; k < keys; k++) {
                    txn.put(b("key-" + k), b("round-" + r), 0, false, false);
                }
                txn.commit(0);
            }
        }
        long rev = store.currentRevision();
        assertEquals(keys * rounds, storedRevisions());
        store.compact(rev, 0).get(30, TimeUnit.SECONDS);
        assertEquals(keys, storedRevisions());
        RangeResult all = store.range(RangeQuery.of(b("key-"), Bytes.prefixEnd(b("key-"))));
        assertEquals(keys, all.count());
        all.kvs().forEach(kv -> assertEquals("round-" + (rounds - 1), s(kv.value())));
        all.kvs().forEach(kv -> assertEquals(rounds, kv.version()));
    }

    @Test
    void writesContinueWhileACompactionRuns() throws Exception {
        for (int i = 0; i < 2000; i++) {
            put("k" + (i % 10), "v" + i);
        }
        CompletableFuture<Void> done = store.compact(store.currentRevision() - 5, 0);
        long rev = put("after", "compaction");
        assertEquals("compaction", s(get("after").value()));
        done.get(30, TimeUnit.SECONDS);
        assertEquals(rev, store.currentRevision());
        assertEquals(11, store.range(RangeQuery.of(new byte[] {0}, new byte[] {0})).count());
    }

    // ------------------------------------------------------------------ durability, snapshot, restore

    @Test
    void reopeningFindsTheSameRevisionDataAndBookkeeping() throws Exception {
        put("a", "1");
        put("b", "2");
        delete("a", null);
        put("c", "3");
        store.compact(3, 0).get(10, TimeUnit.SECONDS);
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("d"), b("4"), 5, false, false);
            txn.commit(77);
        }
        RangeResult before = store.range(RangeQuery.of(new byte[] {0}, new byte[] {0}));
        long rev = store.currentRevision();
        store.close();
        if (persistent()) {
            engine.close();
            engine = openEngine(dir.resolve("engine"));
        }
        store = new MvccStore(engine, options());
        assertEquals(rev, store.currentRevision());
        assertEquals(77, store.appliedIndex());
        assertEquals(3, store.compactRevision());
        assertEquals(before, store.range(RangeQuery.of(new byte[] {0}, new byte[] {0})));
        assertEquals(3, store.range(RangeQuery.key(b("b")).atRevision(3)).kvs().get(0).modRevision());
        assertThrows(MvccException.Compacted.class, () -> store.range(RangeQuery.key(b("b")).atRevision(2)));
        assertEquals(rev + 1, put("e", "5"));
    }

    @Test
    void snapshotRestoresAnEqualStore() throws Exception {
        fiveKeys();
        delete("c", null);
        store.compact(7, 0).get(10, TimeUnit.SECONDS);
        try (WriteTxn txn = store.beginWrite()) {
            txn.put(b("lease"), b("x"), 12, false, false);
            txn.commit(99);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot(out);

        try (StorageEngine other = openEngine(dir.resolve("other"));
             MvccStore restored = new MvccStore(other, options())) {
            restored.beginWrite().commit(0); // any state in the target is replaced
            try (WriteTxn txn = restored.beginWrite()) {
                txn.put(b("stale"), b("gone"), 0, false, false);
                txn.commit(5);
            }
            restored.restore(new ByteArrayInputStream(out.toByteArray()));
            assertEquals(store.currentRevision(), restored.currentRevision());
            assertEquals(store.compactRevision(), restored.compactRevision());
            assertEquals(99, restored.appliedIndex());
            RangeQuery all = RangeQuery.of(new byte[] {0}, new byte[] {0});
            assertEquals(store.range(all), restored.range(all));
            assertEquals(store.range(all.atRevision(8)), restored.range(all.atRevision(8)));
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            restored.snapshot(again);
            assertArrayEquals(out.toByteArray(), again.toByteArray(), "equal stores write identical snapshots");
            assertEquals(store.currentRevision() + 1, putInto(restored, "next"));
        }
    }

    long putInto(MvccStore s, String key) {
        try (WriteTxn txn = s.beginWrite()) {
            txn.put(b(key), b("v"), 0, false, false);
            return txn.commit(0).revision();
        }
    }

    @Test
    void aCorruptSnapshotIsRefusedLoudly() throws Exception {
        fiveKeys();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot(out);
        byte[] bytes = out.toByteArray();
        bytes[bytes.length / 2] ^= 0x40;
        try (StorageEngine other = openEngine(dir.resolve("other"));
             MvccStore target = new MvccStore(other, options())) {
            assertThrows(IOException.class, () -> target.restore(new ByteArrayInputStream(bytes)));
            assertThrows(IllegalStateException.class, () -> target.range(RangeQuery.key(b("a"))), "a half-restored store refuses service");
        }
        byte[] truncated = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 3);
        try (StorageEngine other = openEngine(dir.resolve("other2"));
             MvccStore target = new MvccStore(other, options())) {
            assertThrows(IOException.class, () -> target.restore(new ByteArrayInputStream(truncated)));
        }
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void readersNeverSeeATransactionHalfApplied() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get() && problem.get() == null) {
                RangeResult r = store.range(RangeQuery.of(b("pair/"), Bytes.prefixEnd(b("pair/"))));
                if (r.kvs().size() == 2 && !java.util.Arrays.equals(r.kvs().get(0).value(), r.kvs().get(1).value())) {
                    problem.set("saw " + r.kvs());
                } else if (r.kvs().size() == 1) {
                    problem.set("saw one key of a pair: " + r.kvs());
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 3000 && problem.get() == null; i++) {
                try (WriteTxn txn = store.beginWrite()) {
                    txn.put(b("pair/a"), b("v" + i), 0, false, false);
                    txn.put(b("pair/b"), b("v" + i), 0, false, false);
                    txn.commit(i + 1);
                }
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertNull(problem.get());
    }
}
