package io.metastore.engine;

/**
 * Reads of an engine or of a snapshot of it.
 *
 * <p>Keys are ordered as unsigned bytes, lexicographically ({@link java.util.Arrays#compareUnsigned(byte[], byte[])}):
 * {@code 0x00 < 0x7f < 0x80 < 0xff}, and a prefix sorts before every longer key that starts with it.
 *
 * <p>Arrays handed out ({@link #get} results, visited keys and values) belong to the engine:
 * callers read them and never modify them, which lets the memory engine answer without copying.
 */
public interface ReadView {

    /** Returns the value stored under {@code key} in {@code bucket}, or {@code null} when there is none. */
    byte[] get(Bucket bucket, byte[] key);

    /**
     * Visits the entries of {@code bucket} whose key {@code k} satisfies {@code from <= k < to},
     * in ascending key order, until the visitor returns {@code false}.
     *
     * @param from inclusive lower bound; an empty array means the first key
     * @param to exclusive upper bound; {@code null} means no upper bound
     */
    void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor);

    /**
     * Visits the same entries as {@link #scan} but in descending key order, starting at the
     * greatest key below {@code to}.
     */
    void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor);
}
