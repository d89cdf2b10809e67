package io.metastore.mvcc;

import io.metastore.engine.Bucket;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * etcd's MVCC key-value store over a {@link StorageEngine}.
 *
 * <h2>Model</h2>
 * Every write request that changes something gets the next main revision; the changes inside
 * it are numbered by sub revision. Each key has a create revision, a mod revision and a
 * version (number of changes since its create); a delete writes a tombstone that ends the key's
 * generation, and a later put starts a new one at version 1. Ranges read any revision between
 * the compaction revision and the current one. The store starts at revision 1 with no keys, as
 * etcd does.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@link #KEY_BUCKET "key"}: {@link Revision revision key} → {@link KeyValueEncoding encoded}
 *       {@link KeyValue}; a tombstone's record holds only the key.</li>
 *   <li>{@link #META_BUCKET "meta"}: {@code appliedIndex}, {@code currentRevision},
 *       {@code compactRevision} (the revision of the last accepted compaction) and
 *       {@code finishedCompactRevision} (the last one whose deletes are all written), each an
 *       8-byte big-endian number.</li>
 * </ul>
 * An in-memory {@link TreeIndex} maps user keys to their revisions; it is rebuilt by one scan
 * of the key bucket when the store opens.
 *
 * <h2>Threading</h2>
 * One writer at a time: {@link #beginWrite()} takes the write lock until the transaction is
 * committed or closed (in a server, the Raft apply thread is the only writer). Reads run on any
 * thread, without the write lock: a write transaction's changes become visible all at once,
 * when {@link WriteTxn#commit} has written its engine batch and then publishes the new current
 * revision, because readers read at a published revision. Compaction's deletes run on the
 * store's own compactor thread, in batches, so writers are never stalled for a whole
 * compaction. Lock order: store write lock, then the index lock.
 *
 * <h2>Failures</h2>
 * A refused request is an {@link MvccException}. An engine failure in the middle of a write,
 * or a write transaction abandoned after it changed something, leaves memory and storage
 * out of step: the store then refuses everything with {@link IllegalStateException}, and the
 * node must stop and recover from its log.
 *
 * <p>The store does not own the engine: closing the store leaves the engine open.
 */
public final class MvccStore implements AutoCloseable {

    /** Revision → stored key-value. */
    public static final Bucket KEY_BUCKET = new Bucket("key");
    /** The store's own bookkeeping. */
    public static final Bucket META_BUCKET = new Bucket("meta");
    /**
     * Records of other replicated state (such as leases) that must commit in the same engine
     * batch as the key changes and the applied index, and travel in the same snapshots. Their
     * keys are owned by those components; the store never interprets them.
     */
    public static final Bucket AUX_BUCKET = new Bucket("aux");

    static final byte[] APPLIED_INDEX = ascii("appliedIndex");
    static final byte[] CURRENT_REVISION = ascii("currentRevision");
    static final byte[] COMPACT_REVISION = ascii("compactRevision");
    static final byte[] FINISHED_COMPACT_REVISION = ascii("finishedCompactRevision");

    private final StorageEngine engine;
    private final StoreOptions options;
    final KeyValueEncoding encoding;
    final TreeIndex index = new TreeIndex();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ExecutorService compactor;

    private volatile long currentRevision;
    private volatile long compactRevision;
    private volatile long appliedIndex;
    private volatile Throwable failure;
    private volatile boolean closed;
    /** The last physical compaction scheduled; guarded by the write lock. */
    private CompletableFuture<Void> lastCompaction = CompletableFuture.completedFuture(null);

    /** Whether writes read a key's previous version only when their caller asks ({@link StoreOptions#onDemandPrevious()}). */
    boolean onDemandPrevious() {
        return options.onDemandPrevious();
    }

    public MvccStore(StorageEngine engine, StoreOptions options) {
        this.engine = engine;
        this.options = options;
        this.encoding = options.newEncoding();
        this.compactor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mvcc-compactor");
            t.setDaemon(true);
            return t;
        });
        load();
    }

    /** Reads the bookkeeping, rebuilds the index and resumes an unfinished compaction. */
    private void load() {
        appliedIndex = readMeta(APPLIED_INDEX, 0);
        long rev = readMeta(CURRENT_REVISION, 1);
        compactRevision = readMeta(COMPACT_REVISION, -1);
        long finished = readMeta(FINISHED_COMPACT_REVISION, -1);
        long[] maxSeen = {rev};
        engine.scan(KEY_BUCKET, Bytes.EMPTY, null, (k, v) -> {
            Revision r = Revision.fromKey(k);
            KeyValue kv = encoding.decode(v);
            if (Revision.isTombstoneKey(k)) {
                index.tombstone(kv.key(), r);
            } else {
                index.put(kv.key(), r, kv.createRevision(), kv.version());
            }
            maxSeen[0] = Math.max(maxSeen[0], r.main());
            return true;
        });
        // Only the unbatched baseline can leave data newer than the recorded revision after a crash;
        // revisions must never be handed out twice, so the newest stored one wins.
        currentRevision = maxSeen[0];
        if (compactRevision >= 0) {
            List<Revision> keep = index.compact(compactRevision);
            if (finished < compactRevision) {
                lastCompaction = schedulePhysicalCompaction(compactRevision, keep);
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** The revision of the last committed change (1 for an empty store). */
    public long currentRevision() {
        return options.cachedRevision() ? currentRevision : readMeta(CURRENT_REVISION, 1);
    }

    /** The revision of the last accepted compaction; -1 when never compacted. */
    public long compactRevision() {
        return compactRevision;
    }

    /** The Raft log index of the last applied entry, as recorded with the data. */
    public long appliedIndex() {
        return appliedIndex;
    }

    /** Number of keys that exist at the current revision. */
    public long keyCount() {
        return index.range(Bytes.EMPTY, null, currentRevision(), 1).count();
    }

    /** Reads at the query's revision (or the current one), as etcd's Range answers. */
    public RangeResult range(RangeQuery q) {
        checkUsable();
        return rangeAt(q, currentRevision(), this::readStored);
    }

    /** Reads one stored revision; a revision compacted after the reader's check answers {@link MvccException.Compacted}. */
    KeyValue readStored(Revision r) {
        byte[] bytes = engine.get(KEY_BUCKET, r.toKey(false));
        if (bytes == null) {
            if (r.main() <= compactRevision) {
                throw new MvccException.Compacted();
            }
            throw new IllegalStateException("index names revision " + r + " but the key bucket does not hold it");
        }
        return encoding.decode(bytes);
    }

    interface Reader {
        KeyValue read(Revision r);
    }

    /**
     * etcd's range: the mvcc read (future and compacted checks, index walk, limit) and the
     * server's post-processing (revision filters, sort, {@code more}, keys-only) in one place.
     */
    RangeResult rangeAt(RangeQuery q, long current, Reader reader) {
        long rev = q.revision();
        if (rev > current) {
            throw new MvccException.FutureRevision();
        }
        if (rev <= 0) {
            rev = current;
        }
        if (rev < compactRevision) {
            throw new MvccException.Compacted();
        }
        // Sorting and filtering need every key; otherwise one more than the limit tells "more".
        long fetch = q.limit();
        if (q.sortOrder() != RangeQuery.SortOrder.NONE || q.hasFilters()) {
            fetch = 0;
        }
        if (fetch > 0) {
            fetch++;
        }
        TreeIndex.Ranged found;
        if (q.isSingleKey()) {
            KeyIndex.Found f = index.get(q.key(), rev);
            found = f == null ? new TreeIndex.Ranged(List.of(), 0)
                    : new TreeIndex.Ranged(List.of(new TreeIndex.Entry(q.key(), f)), 1);
        } else {
            found = index.range(q.key(), q.indexEnd(), rev, q.countOnly() ? 1 : fetch);
        }
        if (q.countOnly() || found.count() == 0) {
            return new RangeResult(List.of(), found.count(), false, current);
        }
        List<KeyValue> kvs = new ArrayList<>(found.entries().size());
        for (TreeIndex.Entry e : found.entries()) {
            KeyValue kv = reader.read(e.found().revision());
            if (keep(q, kv)) {
                kvs.add(kv);
            }
        }
        RangeQuery.SortOrder order = q.sortOrder();
        if (q.sortTarget() != RangeQuery.SortTarget.KEY && order == RangeQuery.SortOrder.NONE) {
            order = RangeQuery.SortOrder.ASCEND; // etcd sorts by a non-key target ascending by default
        }
        if (order != RangeQuery.SortOrder.NONE) {
            Comparator<KeyValue> c = comparator(q.sortTarget());
            // Stable sort over key order: ties keep ascending key order in both directions.
            kvs.sort(order == RangeQuery.SortOrder.DESCEND ? c.reversed() : c);
        }
        boolean more = false;
        if (q.limit() > 0 && kvs.size() > q.limit()) {
            kvs = kvs.subList(0, (int) q.limit());
            more = true;
        }
        if (q.keysOnly()) {
            kvs.replaceAll(KeyValue::withoutValue);
        }
        return new RangeResult(kvs, found.count(), more, current);
    }

    private static boolean keep(RangeQuery q, KeyValue kv) {
        return (q.maxModRevision() == 0 || kv.modRevision() <= q.maxModRevision())
                && (q.minModRevision() == 0 || kv.modRevision() >= q.minModRevision())
                && (q.maxCreateRevision() == 0 || kv.createRevision() <= q.maxCreateRevision())
                && (q.minCreateRevision() == 0 || kv.createRevision() >= q.minCreateRevision());
    }

    private static Comparator<KeyValue> comparator(RangeQuery.SortTarget target) {
        return switch (target) {
            case KEY -> (a, b) -> Arrays.compareUnsigned(a.key(), b.key());
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> (a, b) -> Arrays.compareUnsigned(a.value(), b.value());
        };
    }

    // ---------------------------------------------------------------- writes

    /**
     * Starts the one write transaction allowed at a time; it holds the write lock until
     * {@link WriteTxn#commit} or {@link WriteTxn#close}. Use with try-with-resources.
     */
    public WriteTxn beginWrite() {
        writeLock.lock();
        try {
            checkUsable();
            return new WriteTxn(this, currentRevision(), options.batchedWrites() ? engine.newBatch() : null);
        } catch (RuntimeException e) {
            writeLock.unlock();
            throw e;
        }
    }

    /** Writes one change: into the transaction's batch, or straight to the engine in the unbatched baseline. */
    void write(WriteBatch batch, byte[] key, byte[] value) {
        if (batch != null) {
            batch.put(KEY_BUCKET, key, value);
        } else {
            try (WriteBatch single = engine.newBatch()) {
                engine.write(single.put(KEY_BUCKET, key, value));
            }
        }
    }

    /** Writes ({@code value != null}) or deletes an auxiliary record, like {@link #write}. */
    void writeAux(WriteBatch batch, byte[] key, byte[] value) {
        if (batch != null) {
            if (value != null) {
                batch.put(AUX_BUCKET, key, value);
            } else {
                batch.delete(AUX_BUCKET, key);
            }
        } else {
            try (WriteBatch single = engine.newBatch()) {
                engine.write(value != null ? single.put(AUX_BUCKET, key, value) : single.delete(AUX_BUCKET, key));
            }
        }
    }

    /** Visits the committed auxiliary records whose keys start with {@code prefix}, in key order. */
    public void scanAux(byte[] prefix, io.metastore.engine.EntryVisitor visitor) {
        checkUsable();
        byte[] end = Bytes.prefixEnd(prefix);
        engine.scan(AUX_BUCKET, prefix, end.length == 1 && end[0] == 0 ? null : end, visitor);
    }

    /**
     * The changes of revisions {@code from..to} (inclusive, capped at the current revision) to
     * keys in {@code [key, rangeEnd)} (etcd's range conventions), in revision order, at most
     * {@code limit} of them ({@code <= 0}: all), as watch events without {@code prevKv}. A
     * watcher that fell behind catches up with this.
     *
     * @throws MvccException.Compacted when {@code from} is at or below the compaction revision
     */
    public List<Event> history(long from, long to, byte[] key, byte[] rangeEnd, int limit) {
        checkUsable();
        long upTo = Math.min(to, currentRevision());
        if (from <= compactRevision && compactRevision >= 0) {
            throw new MvccException.Compacted();
        }
        List<Event> out = new ArrayList<>();
        if (from > upTo) {
            return out;
        }
        RangeQuery q = RangeQuery.of(key, rangeEnd);
        engine.scan(KEY_BUCKET, new Revision(Math.max(from, 1), 0).toKey(false),
                new Revision(upTo + 1, 0).toKey(false), (k, v) -> {
                    KeyValue kv = encoding.decode(v);
                    if (!q.contains(kv.key())) {
                        return true;
                    }
                    Revision r = Revision.fromKey(k);
                    out.add(Revision.isTombstoneKey(k)
                            ? new Event(Event.Type.DELETE, new KeyValue(kv.key(), 0, r.main(), 0, Bytes.EMPTY, 0), null)
                            : new Event(Event.Type.PUT, kv, null));
                    return limit <= 0 || out.size() < limit;
                });
        return out;
    }

    /** Ends a write transaction: bookkeeping into the same batch, one engine write, then publish. Called with the write lock held. */
    void commit(WriteBatch batch, long revision, boolean changed, long index) {
        boolean newIndex = index > appliedIndex;
        if (changed || newIndex) {
            WriteBatch b = batch != null ? batch : engine.newBatch();
            try {
                if (changed) {
                    b.put(META_BUCKET, CURRENT_REVISION, longBytes(revision));
                }
                if (newIndex) {
                    b.put(META_BUCKET, APPLIED_INDEX, longBytes(index));
                }
                engine.write(b);
            } finally {
                if (batch == null) {
                    b.close();
                }
            }
        }
        if (newIndex) {
            appliedIndex = index;
        }
        currentRevision = revision; // publish: readers now see this transaction
    }

    void endWrite() {
        writeLock.unlock();
    }

    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    // ---------------------------------------------------------------- compaction

    /**
     * Compacts history at {@code revision} (a write, applied in log order like any other):
     * from now on reads below it fail, and its superseded revisions are deleted in the
     * background, in batches. The returned future completes when every delete is written
     * (what etcd's {@code physical} flag waits for).
     *
     * @throws MvccException.Compacted when {@code revision} is not above the last compaction
     * @throws MvccException.FutureRevision when {@code revision} is above the current revision
     */
    public CompletableFuture<Void> compact(long revision, long appliedIndex) {
        writeLock.lock();
        try {
            checkUsable();
            if (revision <= compactRevision) {
                throw new MvccException.Compacted();
            }
            if (revision > currentRevision()) {
                throw new MvccException.FutureRevision();
            }
            try (WriteBatch b = engine.newBatch()) {
                b.put(META_BUCKET, COMPACT_REVISION, longBytes(revision));
                if (appliedIndex > this.appliedIndex) {
                    b.put(META_BUCKET, APPLIED_INDEX, longBytes(appliedIndex));
                }
                engine.write(b);
            } catch (RuntimeException e) {
                fail(e);
                throw e;
            }
            if (appliedIndex > this.appliedIndex) {
                this.appliedIndex = appliedIndex;
            }
            compactRevision = revision;
            List<Revision> keep = index.compact(revision);
            lastCompaction = schedulePhysicalCompaction(revision, keep);
            return lastCompaction;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Deletes every stored revision at or below {@code revision} except {@code keep} (sorted).
     * The revisions to delete lie in the gaps between kept ones, so each gap is one range
     * delete: compacting 100,000 revisions of 1,000 keys is about a thousand engine operations,
     * not a hundred thousand.
     */
    private CompletableFuture<Void> schedulePhysicalCompaction(long revision, List<Revision> keep) {
        return CompletableFuture.runAsync(() -> {
            try {
                List<byte[][]> gaps = new ArrayList<>(keep.size() + 1);
                byte[] from = Bytes.EMPTY;
                for (Revision k : keep) {
                    byte[] kept = k.toKey(false);
                    if (Arrays.compareUnsigned(from, kept) < 0) {
                        gaps.add(new byte[][] {from, kept});
                    }
                    from = Bytes.successor(kept);
                }
                byte[] end = Revision.startKey(revision + 1);
                if (Arrays.compareUnsigned(from, end) < 0) {
                    gaps.add(new byte[][] {from, end});
                }
                int batchSize = options.compactionBatchSize();
                for (int i = 0; i < gaps.size() || i == 0; i += batchSize) {
                    try (WriteBatch b = engine.newBatch()) {
                        for (int j = i; j < Math.min(gaps.size(), i + batchSize); j++) {
                            b.deleteRange(KEY_BUCKET, gaps.get(j)[0], gaps.get(j)[1]);
                        }
                        if (i + batchSize >= gaps.size()) {
                            b.put(META_BUCKET, FINISHED_COMPACT_REVISION, longBytes(revision));
                        }
                        engine.write(b);
                    }
                }
            } catch (RuntimeException e) {
                fail(e);
                throw e;
            }
        }, compactor);
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Writes a consistent copy of the whole engine (every bucket, including those of other
     * components that share it) to {@code out}, as of the last committed write transaction.
     * See {@link StoreSnapshot} for the format.
     */
    public void snapshot(java.io.OutputStream out) throws java.io.IOException {
        checkUsable();
        StoreSnapshot.write(engine, out);
    }

    /**
     * Replaces everything in the engine with the snapshot read from {@code in} and reloads the
     * store from it. A snapshot that fails its checksum leaves the store refusing service: the
     * engine then holds part of it, and the node must fetch the snapshot again.
     */
    public void restore(java.io.InputStream in) throws java.io.IOException {
        writeLock.lock();
        try {
            checkUsable();
            lastCompaction.exceptionally(t -> null).join();
            try {
                StoreSnapshot.read(engine, in);
            } catch (java.io.IOException | RuntimeException e) {
                fail(e);
                throw e;
            }
            index.clear();
            load();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sets the applied Raft index back to 0: for a store restored from a snapshot into a new
     * cluster, whose Raft log starts over (otherwise its first entries would look applied).
     */
    public void forgetAppliedIndex() {
        writeLock.lock();
        try {
            checkUsable();
            try (WriteBatch b = engine.newBatch()) {
                engine.write(b.put(META_BUCKET, APPLIED_INDEX, longBytes(0)));
            }
            appliedIndex = 0;
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("store stopped after a failed write: " + f, f);
        }
    }

    /** Waits for a running compaction's current batch sequence to finish, then stops the compactor. The engine stays open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(1, TimeUnit.MINUTES)) {
                compactor.shutdownNow();
            }
        } catch (InterruptedException e) {
            compactor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private long readMeta(byte[] key, long absent) {
        byte[] v = engine.get(META_BUCKET, key);
        return v == null ? absent : Revision.readLong(v, 0);
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        Revision.writeLong(b, 0, v);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
