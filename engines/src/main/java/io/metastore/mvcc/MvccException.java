package io.metastore.mvcc;

/**
 * A request the store refuses, as a value the caller maps to the client's answer. Broken
 * invariants are not {@code MvccException}s: they are {@link IllegalStateException}s that stop
 * the node.
 */
public abstract sealed class MvccException extends RuntimeException
        permits MvccException.Compacted, MvccException.FutureRevision, MvccException.KeyNotFound {

    MvccException(String message) {
        super(message, null, false, false);
    }

    /** The asked revision is below the compaction revision (etcd's {@code mvcc.ErrCompacted}). */
    public static final class Compacted extends MvccException {
        public Compacted() {
            super("mvcc: required revision has been compacted");
        }
    }

    /** The asked revision is above the current revision (etcd's {@code mvcc.ErrFutureRev}). */
    public static final class FutureRevision extends MvccException {
        public FutureRevision() {
            super("mvcc: required revision is a future revision");
        }
    }

    /** A put with {@code ignore_value} or {@code ignore_lease} names a key that does not exist. */
    public static final class KeyNotFound extends MvccException {
        public KeyNotFound(byte[] key) {
            super("key not found: " + Bytes.describe(key));
        }
    }
}
