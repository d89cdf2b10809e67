package io.metastore.engine;

import java.util.Set;

/**
 * An ordered key-value store of byte arrays, split into {@link Bucket buckets}, with atomic
 * write batches and consistent snapshots. This is everything MVCC needs from storage; the
 * interface deliberately says nothing about MVCC, codecs, or the library underneath.
 *
 * <h2>Threading</h2>
 * Reads ({@link #get}, {@link #scan}, {@link #snapshot}) may run on any number of threads at
 * once. {@link #write} may be called from several threads, but MetaStore's MVCC store writes
 * from one thread (the Raft apply thread) and compaction. Every implementation is thread-safe.
 *
 * <h2>Atomicity and visibility</h2>
 * A batch is all-or-nothing with respect to crashes and to {@link #snapshot snapshots}: a
 * snapshot sees a batch entirely or not at all. A concurrent point read may observe a batch
 * partly applied in engines that do not lock readers out (the memory engine's sharded mode);
 * the MVCC store never depends on that, because it publishes a revision only after the batch
 * that wrote it has been committed.
 *
 * <h2>Durability</h2>
 * After {@link #write} returns, the batch survives the process being killed. Whether it
 * survives the machine losing power depends on the engine's configuration (the Raft log,
 * which is fsync'd, is what guarantees acknowledged writes).
 */
public interface StorageEngine extends ReadView, AutoCloseable {

    /** A short name for reports and logs: {@code memory-global}, {@code memory-sharded}, {@code rocksdb}. */
    String name();

    /** Returns a new empty batch bound to this engine. */
    WriteBatch newBatch();

    /** Applies every operation of {@code batch}, in order, atomically. The batch may be reused after {@link WriteBatch#close()} only by making a new one. */
    void write(WriteBatch batch);

    /** Takes a consistent point-in-time view across all buckets. */
    EngineSnapshot snapshot();

    /** The buckets that currently exist (have been written to, or were found on disk). */
    Set<Bucket> buckets();

    /** Approximate bytes used by the data (for status and quotas). */
    long approximateSizeBytes();

    /**
     * Reclaims space left behind by deletes (RocksDB: a full manual compaction; memory: a
     * no-op). Safe to call while the engine serves reads and writes.
     */
    void defragment();

    /** Flushes and releases every resource. Further calls fail. */
    @Override
    void close();
}
