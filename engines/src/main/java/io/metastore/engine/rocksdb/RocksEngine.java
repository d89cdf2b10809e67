package io.metastore.engine.rocksdb;

import io.metastore.engine.Bucket;
import io.metastore.engine.EngineException;
import io.metastore.engine.EngineSnapshot;
import io.metastore.engine.EntryVisitor;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The storage engine on RocksDB: each {@link Bucket} is a column family (created on first
 * write, all existing ones opened at start), batches are RocksDB write batches, snapshots are
 * RocksDB snapshots. Settings are in {@link RocksEngineOptions}.
 *
 * <p>Thread-safe: RocksDB itself is; the map of column families is concurrent and creation is
 * synchronised. Native objects are closed in reverse order of creation in {@link #close()}.
 */
public final class RocksEngine implements StorageEngine {

    private static final byte[] DEFAULT_CF = RocksDB.DEFAULT_COLUMN_FAMILY;

    private final Path dir;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final Map<Bucket, ColumnFamilyHandle> families = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public RocksEngine(Path dir) {
        this(dir, RocksEngineOptions.defaults());
    }

    public RocksEngine(Path dir, RocksEngineOptions options) {
        RocksDB.loadLibrary();
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot create RocksDB directory " + dir + ": " + e.getMessage(), e);
        }
        cache = new LRUCache(options.blockCacheBytes());
        bloom = new BloomFilter(options.bloomBitsPerKey(), false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        cfOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setWriteBufferSize(options.writeBufferBytes())
                .setMaxWriteBufferNumber(3)
                .setCompactionStyle(CompactionStyle.LEVEL)
                .setLevelCompactionDynamicLevelBytes(true)
                // LZ4: values are often small and similar; LZ4 costs little CPU on a 2-core machine.
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION);
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(options.maxBackgroundJobs())
                .setBytesPerSync(1 << 20);
        writeOptions = new WriteOptions().setSync(options.sync());
        try {
            List<byte[]> names = listFamilies(dir);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] name : names) {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            for (int i = 0; i < names.size(); i++) {
                if (!Arrays.equals(names.get(i), DEFAULT_CF)) {
                    families.put(new Bucket(new String(names.get(i), StandardCharsets.US_ASCII)), handles.get(i));
                }
            }
        } catch (RocksDBException e) {
            closeOptions();
            throw new EngineException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<byte[]> listFamilies(Path dir) throws RocksDBException {
        List<byte[]> names = new ArrayList<>();
        names.add(DEFAULT_CF);
        if (Files.exists(dir.resolve("CURRENT"))) {
            try (Options o = new Options()) {
                for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                    if (!Arrays.equals(n, DEFAULT_CF)) {
                        names.add(n);
                    }
                }
            }
        }
        return names;
    }

    @Override
    public String name() {
        return "rocksdb";
    }

    public Path directory() {
        return dir;
    }

    private ColumnFamilyHandle family(Bucket bucket) {
        ColumnFamilyHandle h = families.get(bucket);
        return h != null ? h : createFamily(bucket);
    }

    private synchronized ColumnFamilyHandle createFamily(Bucket bucket) {
        checkOpen();
        ColumnFamilyHandle h = families.get(bucket);
        if (h == null) {
            try {
                h = db.createColumnFamily(new ColumnFamilyDescriptor(bucket.name().getBytes(StandardCharsets.US_ASCII), cfOptions));
            } catch (RocksDBException e) {
                throw new EngineException("cannot create column family " + bucket + ": " + e.getMessage(), e);
            }
            handles.add(h);
            families.put(bucket, h);
        }
        return h;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public byte[] get(Bucket bucket, byte[] key) {
        checkOpen();
        ColumnFamilyHandle h = families.get(bucket);
        if (h == null) {
            return null;
        }
        try {
            return db.get(h, key);
        } catch (RocksDBException e) {
            throw new EngineException("get from " + bucket + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        scan(null, bucket, from, to, visitor, false);
    }

    @Override
    public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        scan(null, bucket, from, to, visitor, true);
    }

    private void scan(Snapshot snapshot, Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor, boolean descending) {
        checkOpen();
        ColumnFamilyHandle h = families.get(bucket);
        if (h == null || (to != null && Arrays.compareUnsigned(from, to) >= 0)) {
            return;
        }
        // RocksDB's default comparator orders keys as unsigned bytes, the order this interface promises.
        try (Slice upper = to == null ? null : new Slice(to);
             Slice lower = new Slice(from);
             ReadOptions ro = new ReadOptions()) {
            ro.setIterateLowerBound(lower);
            if (upper != null) {
                ro.setIterateUpperBound(upper);
            }
            if (snapshot != null) {
                ro.setSnapshot(snapshot);
            }
            try (RocksIterator it = db.newIterator(h, ro)) {
                if (descending) {
                    if (to == null) {
                        it.seekToLast();
                    } else {
                        it.seekForPrev(to);
                        if (it.isValid() && Arrays.equals(it.key(), to)) {
                            it.prev();
                        }
                    }
                } else {
                    it.seek(from);
                }
                while (it.isValid()) {
                    if (!visitor.visit(it.key(), it.value())) {
                        return;
                    }
                    if (descending) {
                        it.prev();
                    } else {
                        it.next();
                    }
                }
                it.status();
            } catch (RocksDBException e) {
                throw new EngineException("scan of " + bucket + " failed: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ writes

    @Override
    public WriteBatch newBatch() {
        return new Batch();
    }

    @Override
    public void write(WriteBatch batch) {
        checkOpen();
        if (!(batch instanceof Batch b) || b.closed) {
            throw new IllegalArgumentException("not an open batch of this engine");
        }
        try {
            db.write(writeOptions, b.batch);
        } catch (RocksDBException e) {
            throw new EngineException("write failed: " + e.getMessage(), e);
        }
    }

    private final class Batch implements WriteBatch {
        private final org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch();
        private boolean closed;

        @Override
        public WriteBatch put(Bucket bucket, byte[] key, byte[] value) {
            try {
                batch.put(family(bucket), key, value);
            } catch (RocksDBException e) {
                throw new EngineException("batch put failed: " + e.getMessage(), e);
            }
            return this;
        }

        @Override
        public WriteBatch delete(Bucket bucket, byte[] key) {
            ColumnFamilyHandle h = families.get(bucket);
            if (h != null) {
                try {
                    batch.delete(h, key);
                } catch (RocksDBException e) {
                    throw new EngineException("batch delete failed: " + e.getMessage(), e);
                }
            }
            return this;
        }

        @Override
        public WriteBatch deleteRange(Bucket bucket, byte[] from, byte[] to) {
            ColumnFamilyHandle h = families.get(bucket);
            if (h != null && Arrays.compareUnsigned(from, to) < 0) {
                try {
                    batch.deleteRange(h, from, to);
                } catch (RocksDBException e) {
                    throw new EngineException("batch range delete failed: " + e.getMessage(), e);
                }
            }
            return this;
        }

        @Override
        public int count() {
            return batch.count();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                batch.close();
            }
        }
    }

    // ------------------------------------------------------------------ snapshots and the rest

    @Override
    public EngineSnapshot snapshot() {
        checkOpen();
        Snapshot snap = db.getSnapshot();
        return new EngineSnapshot() {
            private boolean released;

            @Override
            public byte[] get(Bucket bucket, byte[] key) {
                ColumnFamilyHandle h = families.get(bucket);
                if (h == null) {
                    return null;
                }
                try (ReadOptions ro = new ReadOptions().setSnapshot(snap)) {
                    return db.get(h, ro, key);
                } catch (RocksDBException e) {
                    throw new EngineException("snapshot get failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
                RocksEngine.this.scan(snap, bucket, from, to, visitor, false);
            }

            @Override
            public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
                RocksEngine.this.scan(snap, bucket, from, to, visitor, true);
            }

            @Override
            public synchronized void close() {
                if (!released) {
                    released = true;
                    if (!closed) {
                        db.releaseSnapshot(snap);
                    }
                }
            }
        };
    }

    @Override
    public Set<Bucket> buckets() {
        Set<Bucket> out = new TreeSet<>(java.util.Comparator.comparing(Bucket::name));
        out.addAll(families.keySet());
        return Collections.unmodifiableSet(out);
    }

    @Override
    public long approximateSizeBytes() {
        checkOpen();
        long total = 0;
        try {
            for (ColumnFamilyHandle h : families.values()) {
                total += db.getLongProperty(h, "rocksdb.total-sst-files-size");
                total += db.getLongProperty(h, "rocksdb.size-all-mem-tables");
            }
        } catch (RocksDBException e) {
            throw new EngineException("size query failed: " + e.getMessage(), e);
        }
        return total;
    }

    /** A full manual compaction of every column family: drops deleted entries and range tombstones. */
    @Override
    public void defragment() {
        checkOpen();
        try {
            for (ColumnFamilyHandle h : families.values()) {
                db.compactRange(h);
            }
        } catch (RocksDBException e) {
            throw new EngineException("compaction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            // closing anyway; the WAL was written with every batch
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        closeOptions();
    }

    private void closeOptions() {
        writeOptions.close();
        dbOptions.close();
        cfOptions.close();
        bloom.close();
        cache.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }
}
