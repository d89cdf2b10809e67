package io.metastore.mvcc;

import java.util.List;

/**
 * The outcome of a range delete: the number of keys deleted, their last versions in key order
 * (none when the delete did not read them, {@link WriteTxn#deleteRange(byte[], byte[], boolean)}),
 * and the revision of the write transaction (unchanged when nothing was deleted and nothing
 * else in the transaction changed).
 */
public record DeleteResult(long revision, long deleted, List<KeyValue> prevKvs) {
    public DeleteResult {
        prevKvs = List.copyOf(prevKvs);
    }
}
