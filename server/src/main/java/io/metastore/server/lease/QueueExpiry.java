package io.metastore.server.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A priority queue of (deadline, lease) ordered by deadline: the seed's Tier 3. A renewal adds
 * a new entry instead of moving the old one; an entry whose deadline no longer matches its
 * lease (renewed) or whose lease is gone (revoked) is dropped when it reaches the head.
 */
final class QueueExpiry implements ExpiryTracker {
    private record Entry(long deadline, long id) {
    }

    private final Map<Long, Lease> leases;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.deadline - b.deadline, 0));

    QueueExpiry(Map<Long, Lease> leases) {
        this.leases = leases;
    }

    @Override
    public synchronized void scheduled(Lease lease, long deadlineNanos) {
        queue.add(new Entry(deadlineNanos, lease.id()));
    }

    @Override
    public synchronized List<Lease> expired(long nowNanos, int limit) {
        List<Lease> out = new ArrayList<>();
        while (!queue.isEmpty() && out.size() < limit && queue.peek().deadline - nowNanos <= 0) {
            Entry e = queue.poll();
            Lease l = leases.get(e.id);
            if (l != null && l.expiresAtNanos() == e.deadline) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public synchronized void clear() {
        queue.clear();
    }
}
