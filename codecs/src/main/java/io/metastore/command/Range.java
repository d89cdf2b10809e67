package io.metastore.command;

import java.util.Arrays;
import java.util.Objects;

/**
 * etcd's {@code RangeRequest}. As a command it only ever travels inside a {@link Txn}: plain
 * reads never go through the log. Enum constants are declared in etcd's wire order, so
 * {@code ordinal()} is the protobuf number.
 */
public record Range(byte[] key, byte[] rangeEnd, long limit, long revision, SortOrder sortOrder, SortTarget sortTarget,
                    boolean serializable, boolean keysOnly, boolean countOnly, long minModRevision,
                    long maxModRevision, long minCreateRevision, long maxCreateRevision) implements TxnOp {

    /** etcd's {@code RangeRequest.SortOrder}, in wire order. */
    public enum SortOrder { NONE, ASCEND, DESCEND }

    /** etcd's {@code RangeRequest.SortTarget}, in wire order. */
    public enum SortTarget { KEY, VERSION, CREATE, MOD, VALUE }

    public Range {
        Objects.requireNonNull(key, "key");
        rangeEnd = ByteArrays.orEmpty(rangeEnd);
        sortOrder = sortOrder == null ? SortOrder.NONE : sortOrder;
        sortTarget = sortTarget == null ? SortTarget.KEY : sortTarget;
    }

    /** A plain read of {@code [key, rangeEnd)} with no options. */
    public static Range of(byte[] key, byte[] rangeEnd) {
        return new Range(key, rangeEnd, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, false, 0, 0, 0, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Range r && Arrays.equals(key, r.key) && Arrays.equals(rangeEnd, r.rangeEnd)
                && limit == r.limit && revision == r.revision && sortOrder == r.sortOrder
                && sortTarget == r.sortTarget && serializable == r.serializable && keysOnly == r.keysOnly
                && countOnly == r.countOnly && minModRevision == r.minModRevision
                && maxModRevision == r.maxModRevision && minCreateRevision == r.minCreateRevision
                && maxCreateRevision == r.maxCreateRevision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(rangeEnd), limit, revision, sortOrder, sortTarget,
                serializable, keysOnly, countOnly, minModRevision, maxModRevision, minCreateRevision,
                maxCreateRevision);
    }

    @Override
    public String toString() {
        return "Range[key=" + ByteArrays.describe(key) + ", rangeEnd=" + ByteArrays.describe(rangeEnd) + ", limit="
                + limit + ", revision=" + revision + ", sort=" + sortOrder + '/' + sortTarget + ", serializable="
                + serializable + ", keysOnly=" + keysOnly + ", countOnly=" + countOnly + ", mod=[" + minModRevision
                + ',' + maxModRevision + "], create=[" + minCreateRevision + ',' + maxCreateRevision + "]]";
    }
}
