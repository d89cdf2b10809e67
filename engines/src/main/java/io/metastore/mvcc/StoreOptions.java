package io.metastore.mvcc;

/**
 * The store's Tier 1 switches. Every combination gives the same answers; they differ in cost,
 * which the micro benchmarks measure one switch at a time.
 *
 * @param encoding how stored key-values are encoded ({@code generic} reflective serialization, or {@code binary} fixed layout)
 * @param batchedWrites one engine batch per write transaction (data, revision and applied index
 *        together, atomic under a crash) instead of one engine write per change followed by one for
 *        the metadata. Only batched writes keep data and applied index in step across a crash: the
 *        unbatched mode is the baseline to measure against, not a mode to run a cluster in.
 * @param cachedRevision keep the current revision in memory instead of reading it back from the
 *        engine on every request
 * @param pooledBuffers encode records straight into exactly-sized arrays instead of through
 *        growing streams
 * @param compactionBatchSize how many range deletes one compaction batch carries; between
 *        batches writers get the engine
 * @param onDemandPrevious a put or delete reads the key's previous version only when its caller
 *        asks for it ({@link WriteTxn#put(byte[], byte[], long, boolean, boolean, boolean)}), not
 *        on every write; its result and events then carry none
 */
public record StoreOptions(Encoding encoding, boolean batchedWrites, boolean cachedRevision, boolean pooledBuffers,
                           int compactionBatchSize, boolean onDemandPrevious) {

    public enum Encoding { GENERIC, BINARY }

    public StoreOptions {
        if (encoding == null) {
            throw new IllegalArgumentException("encoding is required");
        }
        if (compactionBatchSize < 1) {
            throw new IllegalArgumentException("compactionBatchSize must be positive: " + compactionBatchSize);
        }
    }

    /** The fast choices: binary records, batched writes, cached revision, pooled buffers. */
    public static StoreOptions defaults() {
        return new StoreOptions(Encoding.BINARY, true, true, true, 1000, false);
    }

    /** The baseline every tier is measured against: each switch off. */
    public static StoreOptions baseline() {
        return new StoreOptions(Encoding.GENERIC, false, false, false, 1000, false);
    }

    public StoreOptions withEncoding(Encoding e) {
        return new StoreOptions(e, batchedWrites, cachedRevision, pooledBuffers, compactionBatchSize, onDemandPrevious);
    }

    public StoreOptions withBatchedWrites(boolean b) {
        return new StoreOptions(encoding, b, cachedRevision, pooledBuffers, compactionBatchSize, onDemandPrevious);
    }

    public StoreOptions withCachedRevision(boolean b) {
        return new StoreOptions(encoding, batchedWrites, b, pooledBuffers, compactionBatchSize, onDemandPrevious);
    }

    public StoreOptions withPooledBuffers(boolean b) {
        return new StoreOptions(encoding, batchedWrites, cachedRevision, b, compactionBatchSize, onDemandPrevious);
    }

    public StoreOptions withOnDemandPrevious(boolean b) {
        return new StoreOptions(encoding, batchedWrites, cachedRevision, pooledBuffers, compactionBatchSize, b);
    }

    KeyValueEncoding newEncoding() {
        return encoding == Encoding.BINARY ? new BinaryKeyValueEncoding(pooledBuffers) : new SerializedKeyValueEncoding();
    }
}
