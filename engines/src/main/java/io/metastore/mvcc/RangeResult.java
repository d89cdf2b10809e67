package io.metastore.mvcc;

import java.util.List;

/**
 * The answer to a {@link RangeQuery}, with etcd's quirks: {@code count} is the number of keys
 * in the range at the read revision before the min/max revision filters and the limit are
 * applied; {@code more} says whether the limit cut the result; {@code revision} is the store's
 * current revision (the response header's), not the revision read.
 */
public record RangeResult(List<KeyValue> kvs, long count, boolean more, long revision) {
    public RangeResult {
        kvs = List.copyOf(kvs);
    }
}
