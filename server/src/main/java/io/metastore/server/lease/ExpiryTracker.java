package io.metastore.server.lease;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the leader finds expired leases (the seed's two strategies): a full scan of every lease
 * each tick, O(N), or a priority queue ordered by deadline, O(expired · log N). Both answer the
 * same; they differ only in cost, which the benchmarks measure.
 *
 * <p>Threading: {@link #scheduled} is called by the apply thread and keep-alive threads,
 * {@link #expired} by the expiry loop, {@link #clear} on leadership changes; implementations
 * are thread-safe.
 */
public interface ExpiryTracker {

    enum Kind { SCAN, QUEUE }

    /** {@code lease} now expires at {@code deadlineNanos} (it was granted, renewed or promoted). */
    void scheduled(Lease lease, long deadlineNanos);

    /** Up to {@code limit} leases whose deadline is at or before {@code nowNanos}. */
    List<Lease> expired(long nowNanos, int limit);

    /** Forgets every deadline (this member stopped leading). */
    void clear();

    static ExpiryTracker create(Kind kind, Map<Long, Lease> leases) {
        return switch (kind) {
            case SCAN -> new ScanExpiry(leases);
            case QUEUE -> new QueueExpiry(leases);
        };
    }

    static Kind parse(String name) {
        return Kind.valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
