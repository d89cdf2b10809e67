package io.metastore.engine.memory;

import io.metastore.engine.Bucket;
import io.metastore.engine.EngineSnapshot;
import io.metastore.engine.EntryVisitor;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A storage engine that keeps every bucket in a sorted map in memory. Nothing survives the
 * process; durability comes from the Raft log, which replays into a fresh engine.
 *
 * <h2>Locking modes</h2>
 * <ul>
 *   <li>{@link Locking#GLOBAL}: one read-write lock over everything, {@link TreeMap}s inside.
 *       Reads share the lock, a batch holds it exclusively: the simple baseline.</li>
 *   <li>{@link Locking#SHARDED}: a {@link ConcurrentSkipListMap} per bucket. Point reads and
 *       scans take no lock at all. Batches hold a lock in <em>shared</em> mode among
 *       themselves and snapshots hold it exclusively, so a snapshot sees every batch entirely
 *       or not at all; batches from several threads serialise on a second, writer-only lock so
 *       they apply in order. A concurrent point read or scan may observe a batch partly
 *       applied: the MVCC store never depends on that, because it publishes a revision only
 *       after the batch that wrote it returned.</li>
 * </ul>
 * Lock order (SHARDED): writer lock, then the snapshot lock.
 *
 * <p>Arrays are stored and handed out as they are, without copying: writers hand them over,
 * readers never modify them (the {@link StorageEngine} contract).
 */
public final class MemoryEngine implements StorageEngine {

    public enum Locking { GLOBAL, SHARDED }

    private static final java.util.Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    private final Locking locking;
    private final Map<Bucket, NavigableMap<byte[], byte[]>> buckets;
    /** GLOBAL: guards everything. SHARDED: batches (read side) against snapshots (write side). */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** SHARDED only: one batch at a time, in order. */
    private final Lock writerLock = new java.util.concurrent.locks.ReentrantLock();
    private final AtomicLong sizeBytes = new AtomicLong();
    private volatile boolean closed;

    public MemoryEngine(Locking locking) {
        this.locking = locking;
        this.buckets = locking == Locking.GLOBAL ? new HashMap<>() : new ConcurrentHashMap<>();
    }

    public Locking locking() {
        return locking;
    }

    @Override
    public String name() {
        return locking == Locking.GLOBAL ? "memory-global" : "memory-sharded";
    }

    // ------------------------------------------------------------------ reads

    @Override
    public byte[] get(Bucket bucket, byte[] key) {
        Lock l = readLock();
        l.lock();
        try {
            checkOpen();
            NavigableMap<byte[], byte[]> m = buckets.get(bucket);
            return m == null ? null : m.get(key);
        } finally {
            l.unlock();
        }
    }

    @Override
    public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        Lock l = readLock();
        l.lock();
        try {
            checkOpen();
            visit(range(buckets.get(bucket), from, to), visitor);
        } finally {
            l.unlock();
        }
    }

    @Override
    public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        Lock l = readLock();
        l.lock();
        try {
            checkOpen();
            visit(range(buckets.get(bucket), from, to).descendingMap(), visitor);
        } finally {
            l.unlock();
        }
    }

    /** GLOBAL readers share the global lock; SHARDED readers take none. */
    private Lock readLock() {
        return locking == Locking.GLOBAL ? lock.readLock() : NO_LOCK;
    }

    private static NavigableMap<byte[], byte[]> range(NavigableMap<byte[], byte[]> m, byte[] from, byte[] to) {
        if (m == null || (to != null && Arrays.compareUnsigned(from, to) >= 0)) {
            return Collections.emptyNavigableMap();
        }
        return to == null ? m.tailMap(from, true) : m.subMap(from, true, to, false);
    }

    private static void visit(NavigableMap<byte[], byte[]> m, EntryVisitor visitor) {
        for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
            if (!visitor.visit(e.getKey(), e.getValue())) {
                return;
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
        if (!(batch instanceof Batch b) || b.closed) {
            throw new IllegalArgumentException("not an open batch of this engine");
        }
        if (locking == Locking.GLOBAL) {
            lock.writeLock().lock();
            try {
                checkOpen();
                b.applyTo(this);
            } finally {
                lock.writeLock().unlock();
            }
        } else {
            writerLock.lock();
            lock.readLock().lock();
            try {
                checkOpen();
                b.applyTo(this);
            } finally {
                lock.readLock().unlock();
                writerLock.unlock();
            }
        }
    }

    private NavigableMap<byte[], byte[]> bucketForWrite(Bucket bucket) {
        return buckets.computeIfAbsent(bucket, b -> locking == Locking.GLOBAL ? new TreeMap<>(ORDER) : new ConcurrentSkipListMap<>(ORDER));
    }

    private void put(Bucket bucket, byte[] key, byte[] value) {
        byte[] old = bucketForWrite(bucket).put(key, value);
        sizeBytes.addAndGet(old == null ? key.length + value.length : value.length - old.length);
    }

    private void delete(Bucket bucket, byte[] key) {
        NavigableMap<byte[], byte[]> m = buckets.get(bucket);
        byte[] old = m == null ? null : m.remove(key);
        if (old != null) {
            sizeBytes.addAndGet(-(key.length + old.length));
        }
    }

    private void deleteRange(Bucket bucket, byte[] from, byte[] to) {
        NavigableMap<byte[], byte[]> m = buckets.get(bucket);
        if (m == null) {
            return;
        }
        NavigableMap<byte[], byte[]> r = range(m, from, to);
        long freed = 0;
        for (Map.Entry<byte[], byte[]> e : r.entrySet()) {
            freed += e.getKey().length + e.getValue().length;
        }
        r.clear();
        sizeBytes.addAndGet(-freed);
    }

    /** Operations recorded in order and replayed under the engine's lock. */
    private static final class Batch implements WriteBatch {
        private record Op(int kind, Bucket bucket, byte[] key, byte[] value) {
        }

        private static final int PUT = 0;
        private static final int DELETE = 1;
        private static final int DELETE_RANGE = 2;

        private final List<Op> ops = new ArrayList<>();
        private boolean closed;

        @Override
        public WriteBatch put(Bucket bucket, byte[] key, byte[] value) {
            ops.add(new Op(PUT, bucket, key, value));
            return this;
        }

        @Override
        public WriteBatch delete(Bucket bucket, byte[] key) {
            ops.add(new Op(DELETE, bucket, key, null));
            return this;
        }

        @Override
        public WriteBatch deleteRange(Bucket bucket, byte[] from, byte[] to) {
            ops.add(new Op(DELETE_RANGE, bucket, from, to));
            return this;
        }

        @Override
        public int count() {
            return ops.size();
        }

        void applyTo(MemoryEngine engine) {
            for (Op op : ops) {
                switch (op.kind) {
                    case PUT -> engine.put(op.bucket, op.key, op.value);
                    case DELETE -> engine.delete(op.bucket, op.key);
                    default -> engine.deleteRange(op.bucket, op.key, op.value);
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            ops.clear();
        }
    }

    // ------------------------------------------------------------------ snapshots and the rest

    /** A copy of every bucket's map; the arrays themselves are shared (nobody modifies them). */
    @Override
    public EngineSnapshot snapshot() {
        Map<Bucket, NavigableMap<byte[], byte[]>> copy = new HashMap<>();
        lock.writeLock().lock();
        try {
            checkOpen();
            buckets.forEach((b, m) -> copy.put(b, new TreeMap<>(m)));
        } finally {
            lock.writeLock().unlock();
        }
        return new EngineSnapshot() {
            @Override
            public byte[] get(Bucket bucket, byte[] key) {
                NavigableMap<byte[], byte[]> m = copy.get(bucket);
                return m == null ? null : m.get(key);
            }

            @Override
            public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
                visit(range(copy.get(bucket), from, to), visitor);
            }

            @Override
            public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
                visit(range(copy.get(bucket), from, to).descendingMap(), visitor);
            }

            @Override
            public void close() {
                copy.clear();
            }
        };
    }

    @Override
    public Set<Bucket> buckets() {
        Lock l = readLock();
        l.lock();
        try {
            Set<Bucket> out = new TreeSet<>(java.util.Comparator.comparing(Bucket::name));
            out.addAll(buckets.keySet());
            return Collections.unmodifiableSet(out);
        } finally {
            l.unlock();
        }
    }

    @Override
    public long approximateSizeBytes() {
        return sizeBytes.get();
    }

    /** Nothing to reclaim: deleted entries are gone from the maps at once. */
    @Override
    public void defragment() {
        checkOpen();
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            buckets.clear();
            sizeBytes.set(0);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }

    /** The lock SHARDED readers take: none. */
    private static final Lock NO_LOCK = new Lock() {
        @Override
        public void lock() {
        }

        @Override
        public void lockInterruptibly() {
        }

        @Override
        public boolean tryLock() {
            return true;
        }

        @Override
        public boolean tryLock(long time, java.util.concurrent.TimeUnit unit) {
            return true;
        }

        @Override
        public void unlock() {
        }

        @Override
        public java.util.concurrent.locks.Condition newCondition() {
            throw new UnsupportedOperationException();
        }
    };
}
