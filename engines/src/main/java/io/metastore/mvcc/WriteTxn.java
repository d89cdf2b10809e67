package io.metastore.mvcc;

import io.metastore.engine.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A write transaction: one or more write requests applied together and made visible at once.
 * Each request that changes something gets the next main revision, and its n-th change the
 * revision {@code (main, n)}; ranges see every change made before them; {@link #commit}
 * writes everything as one engine batch together with the applied Raft index and publishes
 * it. Nothing is visible to other readers before the commit.
 *
 * <p>One request:
 * <pre>{@code
 * try (WriteTxn txn = store.beginWrite()) {
 *     txn.put(key, value, 0, false, false);
 *     WriteResult r = txn.commit(raftIndex);
 * }
 * }</pre>
 * Several requests of one Raft entry (a batch of proposals) share one engine write, each
 * keeping its own revision:
 * <pre>{@code
 * try (WriteTxn txn = store.beginWrite()) {
 *     txn.put(a, x, 0, false, false);
 *     WriteResult first = txn.endRequest();   // revision R+1
 *     txn.deleteRange(b, null);
 *     WriteResult second = txn.commit(raftIndex); // revision R+2, both visible now
 * }
 * }</pre>
 * A change fails before it modifies anything ({@link MvccException.KeyNotFound}); closing a
 * transaction that changed something without committing it stops the store, because the index
 * already holds those changes.
 *
 * <p>Arrays passed in (keys, values) are owned by the store from then on.
 */
public final class WriteTxn implements AutoCloseable {

    private final MvccStore store;
    /** The published revision when the transaction began: every revision above it is pending here. */
    private final long startRevision;
    private final WriteBatch batch;
    /** The revision the current request builds on: the start, or the last revision of the requests ended so far. */
    private long beginRevision;
    private List<Event> events = new ArrayList<>();
    /** Changes of this transaction, readable before they reach the engine. */
    private final Map<Revision, KeyValue> pending = new HashMap<>();
    private boolean ended;

    WriteTxn(MvccStore store, long startRevision, WriteBatch batch) {
        this.store = store;
        this.startRevision = startRevision;
        this.beginRevision = startRevision;
        this.batch = batch;
    }

    /**
     * The revision the current request reads at and is answered with: the revision before it
     * until it changes something, then its own.
     */
    public long revision() {
        return events.isEmpty() ? beginRevision : beginRevision + 1;
    }

    /**
     * Ends the current request and starts the next one, which will get the next revision if it
     * changes anything. Nothing is written or published until {@link #commit}.
     */
    public WriteResult endRequest() {
        checkOpen();
        WriteResult r = new WriteResult(revision(), events);
        beginRevision = revision();
        events = new ArrayList<>();
        return r;
    }

    /** Reads as {@link MvccStore#range} does, including this transaction's own changes. */
    public RangeResult range(RangeQuery q) {
        checkOpen();
        return store.rangeAt(q, revision(), this::read);
    }

    /**
     * Puts {@code value} under {@code key} with {@code lease} attached (0: none). With
     * {@code ignoreValue} / {@code ignoreLease} the key keeps its current value / lease, and
     * must exist. The result and the event carry the key's previous version.
     *
     * @throws MvccException.KeyNotFound when an ignore flag is set and the key does not exist
     */
    public PutResult put(byte[] key, byte[] value, long lease, boolean ignoreValue, boolean ignoreLease) {
        return put(key, value, lease, ignoreValue, ignoreLease, true);
    }

    /**
     * {@link #put(byte[], byte[], long, boolean, boolean)}, reading the key's previous version only
     * when {@code readPrevious} (or an ignore flag) asks for it, if the store's
     * {@link StoreOptions#onDemandPrevious()} is set (otherwise always): else the result and the event
     * carry none ({@code prevKv} null), and whoever needs it reads it at {@code modRevision - 1}, as
     * etcd's watch does. The key's create revision and version come from the index either way.
     */
    public PutResult put(byte[] key, byte[] value, long lease, boolean ignoreValue, boolean ignoreLease,
                         boolean readPrevious) {
        checkOpen();
        long rev = beginRevision + 1;
        KeyIndex.Found f = store.index.get(key, rev);
        if ((ignoreValue || ignoreLease) && f == null) {
            throw new MvccException.KeyNotFound(key);
        }
        readPrevious |= ignoreValue || ignoreLease || !store.onDemandPrevious();
        KeyValue prev = f == null || !readPrevious ? null : read(f.revision());
        KeyValue kv = new KeyValue(key, f == null ? rev : f.createRevision(), rev, f == null ? 1 : f.version() + 1,
                ignoreValue ? prev.value() : value, ignoreLease ? prev.lease() : lease);
        Revision r = new Revision(rev, events.size());
        byte[] encoded = store.encoding.encode(kv);
        change(() -> {
            store.index.put(key, r, kv.createRevision(), kv.version());
            pending.put(r, kv);
            store.write(batch, r.toKey(false), encoded);
        });
        events.add(new Event(Event.Type.PUT, kv, prev));
        return new PutResult(rev, prev);
    }

    /**
     * Deletes every key in the range (etcd's conventions, as {@link RangeQuery}) with one
     * tombstone each; the result and the events carry each key's previous version.
     */
    public DeleteResult deleteRange(byte[] key, byte[] rangeEnd) {
        return deleteRange(key, rangeEnd, true);
    }

    /**
     * {@link #deleteRange(byte[], byte[])}, reading the deleted versions only when
     * {@code readPrevious}, if the store's {@link StoreOptions#onDemandPrevious()} is set: otherwise the result's {@code prevKvs} is empty and the events'
     * {@code prevKv} null (as in {@link #put(byte[], byte[], long, boolean, boolean, boolean)}).
     */
    public DeleteResult deleteRange(byte[] key, byte[] rangeEnd, boolean readPrevious) {
        checkOpen();
        readPrevious |= !store.onDemandPrevious();
        long rev = beginRevision + 1;
        RangeQuery q = RangeQuery.of(key, rangeEnd);
        List<TreeIndex.Entry> live;
        if (q.isSingleKey()) {
            KeyIndex.Found f = store.index.get(key, rev);
            live = f == null ? List.of() : List.of(new TreeIndex.Entry(key, f));
        } else {
            live = store.index.range(key, q.indexEnd(), rev, 0).entries();
        }
        List<KeyValue> prevs = new ArrayList<>(readPrevious ? live.size() : 0);
        for (TreeIndex.Entry e : live) {
            KeyValue prev = readPrevious ? read(e.found().revision()) : null;
            Revision r = new Revision(rev, events.size());
            byte[] tombstone = store.encoding.encode(new KeyValue(e.key(), 0, 0, 0, Bytes.EMPTY, 0));
            change(() -> {
                store.index.tombstone(e.key(), r);
                store.write(batch, r.toKey(true), tombstone);
            });
            events.add(new Event(Event.Type.DELETE, new KeyValue(e.key(), 0, rev, 0, Bytes.EMPTY, 0), prev));
            if (readPrevious) {
                prevs.add(prev);
            }
        }
        return new DeleteResult(revision(), live.size(), prevs);
    }

    /**
     * Ends the current request, writes every change together with the applied Raft index
     * ({@code <= 0}: not from the log) and publishes them. A transaction without changes only
     * records the index.
     *
     * @return the result of the last request
     */
    public WriteResult commit(long appliedIndex) {
        WriteResult last = endRequest();
        ended = true;
        try {
            store.commit(batch, beginRevision, beginRevision != startRevision, appliedIndex);
            return last;
        } catch (RuntimeException e) {
            store.fail(e);
            throw e;
        } finally {
            release();
        }
    }

    /**
     * Writes an auxiliary record ({@link MvccStore#AUX_BUCKET}) in this transaction's engine
     * batch: it commits with the key changes and the applied index, and takes no revision.
     */
    public void putAux(byte[] key, byte[] value) {
        checkOpen();
        store.writeAux(batch, key, value);
    }

    /** Deletes an auxiliary record in this transaction's engine batch. */
    public void deleteAux(byte[] key) {
        checkOpen();
        store.writeAux(batch, key, null);
    }

    /** Number of changes the current request made so far. */
    public int changes() {
        return events.size();
    }

    @Override
    public void close() {
        if (ended) {
            return;
        }
        ended = true;
        if (beginRevision != startRevision || !events.isEmpty()) {
            store.fail(new IllegalStateException("a write transaction was abandoned after it changed the store"));
        }
        release();
    }

    private void release() {
        if (batch != null) {
            batch.close();
        }
        store.endWrite();
    }

    private KeyValue read(Revision r) {
        if (r.main() > startRevision) {
            KeyValue kv = pending.get(r);
            if (kv == null) {
                throw new IllegalStateException("revision " + r + " of this transaction is not pending");
            }
            return kv;
        }
        return store.readStored(r);
    }

    /** Applies a change to index and storage; a failure half-way leaves them apart, so it stops the store. */
    private void change(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            store.fail(e);
            throw e;
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("write transaction already ended");
        }
    }
}
