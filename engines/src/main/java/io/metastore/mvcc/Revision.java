package io.metastore.mvcc;

/**
 * A point in the store's history: {@code main} is the revision of a write request (the number
 * etcd reports as {@code header.revision}); {@code sub} orders the changes made inside that one
 * request (the first put of a txn is sub 0, the next sub 1, ...).
 *
 * <h2>On-disk form</h2>
 * The key bucket is keyed by revision so that one ordered scan walks history in order:
 * <pre>
 *  0               8   9               17  18
 *  +---------------+---+---------------+---+
 *  | main (BE u64) |'_'| sub (BE u64)  |'t'|   't' only on tombstones (deletes)
 *  +---------------+---+---------------+---+
 * </pre>
 * Big-endian encoding makes unsigned byte order equal to numeric order for non-negative
 * revisions, and a tombstone key sorts right after the same revision without the marker.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {

    /** Length of an encoded revision without the tombstone marker. */
    public static final int KEY_LENGTH = 17;
    static final byte SEPARATOR = '_';
    static final byte TOMBSTONE_MARK = 't';

    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }

    /** Encodes this revision as a key-bucket key, with the tombstone mark when {@code tombstone}. */
    public byte[] toKey(boolean tombstone) {
        byte[] b = new byte[tombstone ? KEY_LENGTH + 1 : KEY_LENGTH];
        writeLong(b, 0, main);
        b[8] = SEPARATOR;
        writeLong(b, 9, sub);
        if (tombstone) {
            b[KEY_LENGTH] = TOMBSTONE_MARK;
        }
        return b;
    }

    /** The smallest key-bucket key of revision {@code main}: every key of an earlier revision sorts before it. */
    public static byte[] startKey(long main) {
        return new Revision(main, 0).toKey(false);
    }

    /** Decodes a key-bucket key. */
    public static Revision fromKey(byte[] key) {
        if ((key.length != KEY_LENGTH && key.length != KEY_LENGTH + 1) || key[8] != SEPARATOR) {
            throw new IllegalStateException("not a revision key: " + Bytes.describe(key));
        }
        return new Revision(readLong(key, 0), readLong(key, 9));
    }

    /** Whether a key-bucket key carries the tombstone mark. */
    public static boolean isTombstoneKey(byte[] key) {
        return key.length == KEY_LENGTH + 1 && key[KEY_LENGTH] == TOMBSTONE_MARK;
    }

    static void writeLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    @Override
    public String toString() {
        return main + "." + sub;
    }
}
