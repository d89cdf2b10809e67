package io.metastore.mvcc;

import java.util.Objects;

/**
 * A range read with every option of etcd's {@code RangeRequest} that the store answers.
 *
 * <p>Key selection follows etcd: an empty {@code rangeEnd} reads the single key {@code key};
 * {@code rangeEnd = "\0"} reads every key at or after {@code key}; otherwise the half-open
 * interval {@code [key, rangeEnd)}. {@code revision <= 0} reads the current revision.
 */
public record RangeQuery(byte[] key, byte[] rangeEnd, long limit, long revision, SortOrder sortOrder, SortTarget sortTarget,
                         boolean keysOnly, boolean countOnly, long minModRevision, long maxModRevision,
                         long minCreateRevision, long maxCreateRevision) {

    public enum SortOrder { NONE, ASCEND, DESCEND }

    public enum SortTarget { KEY, VERSION, CREATE, MOD, VALUE }

    public RangeQuery {
        Objects.requireNonNull(key, "key");
        rangeEnd = rangeEnd == null ? Bytes.EMPTY : rangeEnd;
        sortOrder = sortOrder == null ? SortOrder.NONE : sortOrder;
        sortTarget = sortTarget == null ? SortTarget.KEY : sortTarget;
    }

    /** A plain read of {@code [key, rangeEnd)} at the current revision. */
    public static RangeQuery of(byte[] key, byte[] rangeEnd) {
        return new RangeQuery(key, rangeEnd, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, 0, 0, 0, 0);
    }

    /** A read of the single key {@code key} at the current revision. */
    public static RangeQuery key(byte[] key) {
        return of(key, Bytes.EMPTY);
    }

    public RangeQuery withLimit(long newLimit) {
        return new RangeQuery(key, rangeEnd, newLimit, revision, sortOrder, sortTarget, keysOnly, countOnly,
                minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeQuery atRevision(long newRevision) {
        return new RangeQuery(key, rangeEnd, limit, newRevision, sortOrder, sortTarget, keysOnly, countOnly,
                minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeQuery sorted(SortOrder order, SortTarget target) {
        return new RangeQuery(key, rangeEnd, limit, revision, order, target, keysOnly, countOnly,
                minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeQuery withKeysOnly() {
        return new RangeQuery(key, rangeEnd, limit, revision, sortOrder, sortTarget, true, countOnly,
                minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    public RangeQuery withCountOnly() {
        return new RangeQuery(key, rangeEnd, limit, revision, sortOrder, sortTarget, keysOnly, true,
                minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** Keeps only keys whose mod and create revisions lie within the bounds; 0 means unbounded. */
    public RangeQuery filtered(long minMod, long maxMod, long minCreate, long maxCreate) {
        return new RangeQuery(key, rangeEnd, limit, revision, sortOrder, sortTarget, keysOnly, countOnly,
                minMod, maxMod, minCreate, maxCreate);
    }

    boolean hasFilters() {
        return minModRevision != 0 || maxModRevision != 0 || minCreateRevision != 0 || maxCreateRevision != 0;
    }

    /** The exclusive upper bound as the index reads it: {@code null} for no bound. Only for multi-key ranges. */
    byte[] indexEnd() {
        return rangeEnd.length == 1 && rangeEnd[0] == 0 ? null : rangeEnd;
    }

    /** Whether {@code k} is one of the keys this query selects. */
    public boolean contains(byte[] k) {
        return isSingleKey() ? java.util.Arrays.equals(k, key) : Bytes.inRange(k, key, indexEnd());
    }

    boolean isSingleKey() {
        return rangeEnd.length == 0;
    }
}
