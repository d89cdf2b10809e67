package io.metastore.mvcc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The history of one key: its revisions grouped into generations. A generation is the life of
 * the key from a create to the delete (tombstone) that ends it; after a tombstone a new, empty
 * generation waits for the next create. Only the last generation can be open.
 *
 * <h2>Worked example</h2>
 * <pre>
 *   put(foo) at 1.0, put(foo) at 2.0, delete(foo) at 3.0, put(foo) at 4.0, put(foo) at 5.0
 *
 *   generations: {created 1, version 2, revs [1.0, 2.0, 3.0(tombstone)]}
 *                {created 4, version 2, revs [4.0, 5.0]}
 *
 *   get(2) = 2.0 (version 2)   get(3) = none (deleted at 3)   get(4) = 4.0 (version 1)
 *
 *   compact(2): drop revisions at or below 2 except the latest one, 2.0, which is still
 *               readable at revision 2 and must stay:
 *               {created 1, version 2, revs [2.0, 3.0]} {created 4, version 2, revs [4.0, 5.0]}
 *   compact(4): the first generation ended at 3 <= 4, so it goes whole; 4.0 is the latest
 *               revision at or below 4 and stays:
 *               {created 4, version 2, revs [4.0, 5.0]}
 *   delete at 6.0 then compact(6): the last live revision at or below 6 is a tombstone, so
 *               nothing stays and the key leaves the index.
 * </pre>
 * The revisions a compaction keeps are reported to the caller, which deletes every other
 * stored revision at or below the compaction revision.
 *
 * <p>Not thread-safe: {@link TreeIndex} guards every key index with its lock.
 */
final class KeyIndex {

    /** What a lookup finds: the revision of the key at the asked revision, with its create revision and version. */
    record Found(Revision revision, long createRevision, long version) {
    }

    private static final class Generation {
        long created;
        /** Version of the last put in {@link #revs} (a tombstone does not count as a version). */
        long version;
        final ArrayList<Revision> revs = new ArrayList<>(2);
        boolean ended;
    }

    final byte[] key;
    private final ArrayList<Generation> generations = new ArrayList<>(1);

    KeyIndex(byte[] key) {
        this.key = key;
        generations.add(new Generation());
    }

    /** Records a put at {@code rev} that made the key's version {@code version} in a generation created at {@code created}. */
    void put(Revision rev, long created, long version) {
        Generation g = last();
        if (g.revs.isEmpty()) {
            g.created = created;
        }
        g.revs.add(rev);
        g.version = version;
    }

    /**
     * Records a delete at {@code rev}, ending the open generation. While the index is rebuilt
     * from storage a compaction may have removed the puts before a tombstone; the tombstone
     * then ends a generation that holds only itself.
     */
    void tombstone(Revision rev) {
        Generation g = last();
        g.revs.add(rev);
        g.ended = true;
        generations.add(new Generation());
    }

    /** The key's newest state at revision {@code atRev}, or {@code null} when it did not exist then. */
    Found get(long atRev) {
        for (int gi = generations.size() - 1; gi >= 0; gi--) {
            Generation g = generations.get(gi);
            if (g.revs.isEmpty()) {
                continue;
            }
            if (g.ended && g.revs.get(g.revs.size() - 1).main() <= atRev) {
                return null; // deleted at or before atRev, and not re-created since (later generations start after atRev)
            }
            if (g.revs.get(0).main() <= atRev) {
                int lastPut = g.ended ? g.revs.size() - 2 : g.revs.size() - 1;
                for (int i = lastPut; i >= 0; i--) {
                    Revision r = g.revs.get(i);
                    if (r.main() <= atRev) {
                        return new Found(r, g.created, g.version - (lastPut - i));
                    }
                }
                return null; // only a tombstone at or below atRev (rebuilt after compaction)
            }
        }
        return null;
    }

    /** Adds every revision of this key with {@code main >= sinceRev} to {@code out}, oldest first. */
    void since(long sinceRev, List<Revision> out) {
        for (Generation g : generations) {
            for (Revision r : g.revs) {
                if (r.main() >= sinceRev) {
                    out.add(r);
                }
            }
        }
    }

    /**
     * Drops every revision at or below {@code atRev} except the newest one when that one is a
     * live put, which is handed to {@code keep}.
     *
     * @return whether nothing is left, so the key leaves the index
     */
    boolean compact(long atRev, Consumer<Revision> keep) {
        // Generations that ended at or below atRev are gone entirely.
        int first = 0;
        while (first < generations.size() - 1) {
            Generation g = generations.get(first);
            if (!g.revs.isEmpty() && g.revs.get(g.revs.size() - 1).main() > atRev) {
                break;
            }
            first++;
        }
        generations.subList(0, first).clear();
        Generation g = generations.get(0);
        int newest = -1;
        for (int i = g.revs.size() - 1; i >= 0; i--) {
            if (g.revs.get(i).main() <= atRev) {
                newest = i;
                break;
            }
        }
        // g is open, or ended above atRev, so its newest revision at or below atRev is a put.
        if (newest >= 0) {
            keep.accept(g.revs.get(newest));
            g.revs.subList(0, newest).clear();
        }
        return isEmpty();
    }

    boolean isEmpty() {
        return generations.size() == 1 && generations.get(0).revs.isEmpty();
    }

    /** Whether the key exists at the newest revision recorded. */
    boolean isLive() {
        return !last().revs.isEmpty();
    }

    private Generation last() {
        return generations.get(generations.size() - 1);
    }
}
