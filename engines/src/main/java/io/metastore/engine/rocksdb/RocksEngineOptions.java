package io.metastore.engine.rocksdb;

/**
 * RocksDB settings, each chosen for MetaStore's workload: writes arrive from one apply thread
 * as batches of revision-keyed puts (append-like, keys increase), reads are point gets by
 * revision, and compaction deletes long runs of old revisions.
 *
 * @param sync fsync the WAL on every batch. Off by default: the Raft log is fsync'd and is what
 *        guarantees acknowledged writes; with the WAL on, a kill -9 of the process loses nothing
 *        written (the OS still holds the pages), and after a power loss the store replays the log
 *        from its recorded applied index.
 * @param blockCacheBytes a shared LRU block cache for every column family: point gets of recent
 *        revisions hit memory instead of disk
 * @param writeBufferBytes memtable size per column family: larger memtables mean fewer, larger
 *        flushes for a write-heavy load
 * @param maxBackgroundJobs flush and compaction threads; 2 suits a 2-core machine without
 *        starving the apply and gRPC threads
 * @param bloomBitsPerKey bloom filter bits per key so point gets of absent keys rarely read a block
 */
public record RocksEngineOptions(boolean sync, long blockCacheBytes, long writeBufferBytes, int maxBackgroundJobs,
                                 double bloomBitsPerKey) {

    public static RocksEngineOptions defaults() {
        return new RocksEngineOptions(false, 64L << 20, 32L << 20, 2, 10);
    }

    public RocksEngineOptions withSync(boolean s) {
        return new RocksEngineOptions(s, blockCacheBytes, writeBufferBytes, maxBackgroundJobs, bloomBitsPerKey);
    }
}
