package io.metastore.engine;

/**
 * An ordered list of writes that {@link StorageEngine#write(WriteBatch)} applies atomically.
 * A batch belongs to the engine that made it and is used by one thread at a time.
 *
 * <p>Ownership: arrays passed in are handed over to the engine. The caller must not modify
 * them afterwards (the memory engine stores them as they are).
 */
public interface WriteBatch extends AutoCloseable {

    /** Adds a put of {@code value} under {@code key}. */
    WriteBatch put(Bucket bucket, byte[] key, byte[] value);

    /** Adds a delete of {@code key}; deleting an absent key is not an error. */
    WriteBatch delete(Bucket bucket, byte[] key);

    /** Adds a delete of every key {@code k} with {@code from <= k < to}. */
    WriteBatch deleteRange(Bucket bucket, byte[] from, byte[] to);

    /** Number of operations added so far. */
    int count();

    /** Releases the batch (native memory in RocksDB); a closed batch cannot be written. */
    @Override
    void close();
}
