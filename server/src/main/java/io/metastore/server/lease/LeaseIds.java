package io.metastore.server.lease;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-chosen lease ids, unique across the cluster without coordination, laid out like
 * etcd's request ids:
 * <pre>
 *  63        62 .. 47          46 ..  8             7 .. 0
 * +---+------------------+--------------------+-------------+
 * | 0 | member id (16 b) | start time ms (39 b) | counter (8 b) |
 * +---+------------------+--------------------+-------------+
 * </pre>
 * The counter carries into the time field, so ids keep increasing within one run. Ids are
 * chosen when a grant is proposed, never while it is applied, so apply stays deterministic.
 */
public final class LeaseIds {
    private static final long LOW_47 = (1L << 47) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    public LeaseIds(long memberId, long nowMillis) {
        this.prefix = (memberId & 0xffff) << 47;
        this.suffix = new AtomicLong((nowMillis & ((1L << 39) - 1)) << 8);
    }

    public long next() {
        long id = prefix | (suffix.incrementAndGet() & LOW_47);
        return id == 0 ? next() : id;
    }
}
