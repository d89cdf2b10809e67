package io.metastore.server.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Looks at every lease on every tick: the seed's O(N) baseline. Keeps no state of its own. */
final class ScanExpiry implements ExpiryTracker {
    private final Map<Long, Lease> leases;

    ScanExpiry(Map<Long, Lease> leases) {
        this.leases = leases;
    }

    @Override
    public void scheduled(Lease lease, long deadlineNanos) {
    }

    @Override
    public List<Lease> expired(long nowNanos, int limit) {
        List<Lease> out = new ArrayList<>();
        for (Lease l : leases.values()) {
            if (l.expiresAtNanos() - nowNanos <= 0 && l.expiresAtNanos() != Lease.NEVER) {
                out.add(l);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public void clear() {
    }
}
