package io.metastore.command;

import java.util.Arrays;
import java.util.Objects;

/**
 * etcd's {@code DeleteRangeRequest}: delete {@code key} alone (empty {@code rangeEnd}), every key
 * from {@code key} on ({@code rangeEnd = "\0"}) or the interval {@code [key, rangeEnd)}.
 */
public record DeleteRange(byte[] key, byte[] rangeEnd, boolean prevKv) implements Command, TxnOp {

    public DeleteRange {
        Objects.requireNonNull(key, "key");
        rangeEnd = ByteArrays.orEmpty(rangeEnd);
    }

    /** Delete the single key {@code key}. */
    public static DeleteRange key(byte[] key) {
        return new DeleteRange(key, ByteArrays.EMPTY, false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeleteRange d && Arrays.equals(key, d.key) && Arrays.equals(rangeEnd, d.rangeEnd)
                && prevKv == d.prevKv;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(rangeEnd), prevKv);
    }

    @Override
    public String toString() {
        return "DeleteRange[key=" + ByteArrays.describe(key) + ", rangeEnd=" + ByteArrays.describe(rangeEnd)
                + ", prevKv=" + prevKv + ']';
    }
}
