package io.metastore.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory index from user keys to their {@link KeyIndex histories}, ordered as unsigned
 * bytes so a key range is one sub-map walk. Rebuilt from the key bucket when a store opens.
 *
 * <p>Threading: one read-write lock; readers (ranges on any thread) share it, the writer (the
 * apply thread inside a write transaction, or compaction's index pass) holds it exclusively for
 * the duration of one operation. Readers filter by revision, so a change the writer has indexed
 * but not yet published is invisible to them.
 */
final class TreeIndex {

    /** A key together with what the index found for it. */
    record Entry(byte[] key, KeyIndex.Found found) {
    }

    private final TreeMap<byte[], KeyIndex> tree = new TreeMap<>(Arrays::compareUnsigned);
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    KeyIndex.Found get(byte[] key, long atRev) {
        lock.readLock().lock();
        try {
            KeyIndex ki = tree.get(key);
            return ki == null ? null : ki.get(atRev);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What a range walk found: up to {@code max} entries, and how many keys matched in all. */
    record Ranged(List<Entry> entries, int count) {
    }

    /**
     * The keys in {@code [from, to)} that exist at {@code atRev}, in key order ({@code to == null}:
     * no upper bound): the first {@code max} of them ({@code max <= 0}: all) and the number of
     * all of them.
     */
    Ranged range(byte[] from, byte[] to, long atRev, long max) {
        List<Entry> out = new ArrayList<>();
        int count = 0;
        lock.readLock().lock();
        try {
            for (KeyIndex ki : subMap(from, to).values()) {
                KeyIndex.Found f = ki.get(atRev);
                if (f != null) {
                    count++;
                    if (max <= 0 || out.size() < max) {
                        out.add(new Entry(ki.key, f));
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return new Ranged(out, count);
    }

    void put(byte[] key, Revision rev, long created, long version) {
        lock.writeLock().lock();
        try {
            tree.computeIfAbsent(key, KeyIndex::new).put(rev, created, version);
        } finally {
            lock.writeLock().unlock();
        }
    }

    void tombstone(byte[] key, Revision rev) {
        lock.writeLock().lock();
        try {
            tree.computeIfAbsent(key, KeyIndex::new).tombstone(rev);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Compacts every key's history at {@code atRev} and returns the revisions at or below it
     * that stay, in revision order.
     */
    List<Revision> compact(long atRev) {
        List<Revision> keep = new ArrayList<>();
        lock.writeLock().lock();
        try {
            Iterator<Map.Entry<byte[], KeyIndex>> it = tree.entrySet().iterator();
            while (it.hasNext()) {
                if (it.next().getValue().compact(atRev, keep::add)) {
                    it.remove();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        keep.sort(null);
        return keep;
    }

    /** Forgets every key (before the index is rebuilt from a restored snapshot). */
    void clear() {
        lock.writeLock().lock();
        try {
            tree.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Number of keys with any history (live or not yet compacted away). */
    int size() {
        lock.readLock().lock();
        try {
            return tree.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    private NavigableMap<byte[], KeyIndex> subMap(byte[] from, byte[] to) {
        if (to == null) {
            return tree.tailMap(from, true);
        }
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return java.util.Collections.emptyNavigableMap();
        }
        return tree.subMap(from, true, to, false);
    }
}
