package io.metastore.server.lease;

import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.mvcc.Event;
import io.metastore.mvcc.KeyValue;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.RangeQuery;
import io.metastore.mvcc.WriteTxn;
import io.metastore.server.error.EtcdError;
import io.metastore.server.metrics.Metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The lease table. Two kinds of state live here:
 * <ul>
 *   <li><b>Replicated</b> — which leases exist, their TTLs and their keys. Changed only by the
 *       apply thread, from committed LeaseGrant / LeaseRevoke entries and from the change events
 *       of applied writes, so every member holds the same table. A lease is stored as an
 *       auxiliary record {@code "lease/" + id (8 bytes BE) → ttl (8 bytes BE)} in the same engine
 *       batch as the rest of its entry; the attached keys are not stored, they are rebuilt from
 *       the keys' own lease field by {@link #recover}.</li>
 *   <li><b>Leader-local</b> — when each lease expires. Only the leader keeps deadlines (others
 *       hold {@link Lease#NEVER}); on promotion every lease gets a full TTL from that moment, as
 *       etcd's promotion rule does, so a leader change never expires leases at once. Deadlines
 *       are never replicated: expiry is proposed as a LeaseRevoke, so all members delete the
 *       same keys at the same revision.</li>
 * </ul>
 *
 * <p>Lock order: the deadline lock (renewals, the expiry loop, promotion and demotion), then
 * the expiry tracker's own; nothing that waits runs under either.
 */
public final class Lessor {
    private static final byte[] PREFIX = "lease/".getBytes(StandardCharsets.US_ASCII);

    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
    /**
     * The lease each leased key is attached to (etcd's {@code itemMap}), so a put or delete finds
     * the lease it leaves without reading the key's previous version. Written on the apply thread.
     */
    private final Map<byte[], Long> leaseOfKey = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final ExpiryTracker expiry;
    private final LongSupplier clock;
    private final Metrics metrics;
    private volatile boolean primary;
    /** Orders renewals against the expiry loop naming leases, so a named lease is never renewed. */
    private final Object deadlines = new Object();
    /** Completed when this member stops leading (etcd's {@code demotec}); replaced by a fresh one then. */
    private volatile CompletableFuture<Void> demotion = new CompletableFuture<>();

    public Lessor(ExpiryTracker.Kind expiryKind, LongSupplier nanoClock) {
        this(expiryKind, nanoClock, new Metrics());
    }

    /** {@code metrics} counts grants and revokes as they are applied, on every member (etcd's lessor does). */
    public Lessor(ExpiryTracker.Kind expiryKind, LongSupplier nanoClock, Metrics metrics) {
        this.expiry = ExpiryTracker.create(expiryKind, leases);
        this.clock = nanoClock;
        this.metrics = metrics;
    }

    public boolean exists(long id) {
        return leases.containsKey(id);
    }

    public Lease get(long id) {
        return leases.get(id);
    }

    public Collection<Lease> leases() {
        return leases.values();
    }

    // ------------------------------------------------------------------ replicated state (apply thread)

    /** Rebuilds the table from the store: at start-up and after a snapshot was installed. */
    public void recover(MvccStore store) {
        // Renewals waiting for a revoke of a lease of the old table: the leader of the moment answers them again.
        leases.values().forEach(l -> l.revoked().completeExceptionally(EtcdError.NOT_LEADER.exception()));
        leases.clear();
        leaseOfKey.clear();
        expiry.clear();
        store.scanAux(PREFIX, (k, v) -> {
            long id = ByteBuffer.wrap(k, PREFIX.length, 8).getLong();
            leases.put(id, new Lease(id, ByteBuffer.wrap(v).getLong()));
            return true;
        });
        if (!leases.isEmpty()) {
            RangeQuery all = RangeQuery.of(new byte[] {0}, new byte[] {0}).withKeysOnly();
            for (KeyValue kv : store.range(all).kvs()) {
                Lease l = kv.lease() == 0 ? null : leases.get(kv.lease());
                if (l != null) {
                    l.attach(kv.key());
                    leaseOfKey.put(kv.key(), l.id());
                }
            }
        }
        if (primary) {
            promote();
        }
    }

    /** Grants a lease inside {@code txn}; refused if the id is taken. */
    public Lease grant(WriteTxn txn, LeaseGrant g) {
        if (leases.containsKey(g.id())) {
            throw EtcdError.LEASE_EXISTS.exception();
        }
        txn.putAux(recordKey(g.id()), ByteBuffer.allocate(8).putLong(g.ttlSeconds()).array());
        Lease l = new Lease(g.id(), g.ttlSeconds());
        leases.put(g.id(), l);
        if (primary) {
            refresh(l);
        }
        metrics.leaseGranted();
        return l;
    }

    /**
     * Revokes a lease inside {@code txn}: deletes its keys in byte order as one request (one
     * revision, a delete event each) and its record. Once {@code txn} is committed the caller
     * passes the returned lease to {@link #revokeCommitted}.
     */
    public Lease revoke(WriteTxn txn, LeaseRevoke r) {
        Lease l = leases.get(r.id());
        if (l == null) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        for (byte[] key : l.keys()) {
            txn.deleteRange(key, null, false);
        }
        txn.deleteAux(recordKey(r.id()));
        leases.remove(r.id());
        metrics.leaseRevoked();
        return l;
    }

    /** The revoke of {@code l} is committed (apply thread): renewals waiting on it answer that it is gone. */
    public void revokeCommitted(Lease l) {
        l.revoked().complete(null);
    }

    /** Keeps the key sets in step with applied writes: a put attaches to its lease, leaving the old one. */
    public void onEvents(List<Event> events) {
        for (Event e : events) {
            byte[] key = e.kv().key();
            long now = e.type() == Event.Type.PUT ? e.kv().lease() : 0;
            Long before = leaseOfKey.isEmpty() ? null : leaseOfKey.remove(key);
            if (before != null && before != now) {
                Lease old = leases.get(before);
                if (old != null) {
                    old.detach(key);
                }
            }
            Lease l = now == 0 ? null : leases.get(now);
            if (l != null) {
                l.attach(key);
                leaseOfKey.put(key, now);
            }
        }
    }

    private static byte[] recordKey(long id) {
        return ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(id).array();
    }

    // ------------------------------------------------------------------ leader-local deadlines

    /** This member became leader: every lease gets a full TTL from now. */
    public void promote() {
        synchronized (deadlines) {
            primary = true;
            expiry.clear();
            leases.values().forEach(l -> {
                l.unmarkExpired();
                refresh(l);
            });
        }
    }

    /** This member stopped leading: no lease expires here, and renewals waiting for a revoke are answered "not leader". */
    public void demote() {
        CompletableFuture<Void> ended;
        synchronized (deadlines) {
            primary = false;
            expiry.clear();
            leases.values().forEach(l -> l.expireAt(Lease.NEVER));
            ended = demotion;
            demotion = new CompletableFuture<>();
        }
        ended.complete(null);
    }

    public boolean isPrimary() {
        return primary;
    }

    /**
     * Renews a lease on the leader: its TTL, or 0 when there is no such lease (etcd's keep-alive
     * answer). As in etcd, a lease past its deadline is not renewed: the answer waits until its
     * revoke is committed (then 0, its keys being gone), or fails with "not leader" if this
     * member stops leading first (the caller asks the next leader).
     */
    public CompletableFuture<Long> renew(long id) {
        Lease l = leases.get(id);
        if (l == null) {
            return CompletableFuture.completedFuture(0L);
        }
        CompletableFuture<Void> demoted;
        synchronized (deadlines) {
            if (!primary) {
                return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
            }
            if (!l.isExpired(clock.getAsLong())) {
                refresh(l);
                return CompletableFuture.completedFuture(l.ttlSeconds());
            }
            demoted = demotion;
        }
        CompletableFuture<Long> answer = new CompletableFuture<>();
        l.revoked().whenComplete((v, e) -> {
            if (e == null) {
                answer.complete(0L);
            } else {
                answer.completeExceptionally(e);
            }
        });
        demoted.thenRun(() -> answer.completeExceptionally(EtcdError.NOT_LEADER.exception()));
        return answer;
    }

    /** Whole seconds left before the lease expires (etcd truncates), or -1 when there is no such lease. */
    public long remainingSeconds(long id) {
        Lease l = leases.get(id);
        if (l == null) {
            return -1;
        }
        long at = l.expiresAtNanos();
        if (at == Lease.NEVER) {
            return l.ttlSeconds();
        }
        long now = clock.getAsLong();
        return l.isExpired(now) ? 0 : TimeUnit.NANOSECONDS.toSeconds(at - now);
    }

    /** Leases past their deadline, at most {@code limit}; each is given {@code retryNanos} more before it is named again. */
    public List<Lease> takeExpired(int limit, long retryNanos) {
        synchronized (deadlines) {
            if (!primary) {
                return List.of();
            }
            long now = clock.getAsLong();
            List<Lease> out = new ArrayList<>(expiry.expired(now, limit));
            for (Lease l : out) {
                long retryAt = now + retryNanos;
                l.markExpired();
                l.expireAt(retryAt);
                expiry.scheduled(l, retryAt);
            }
            return out;
        }
    }

    private void refresh(Lease l) {
        long at = clock.getAsLong() + TimeUnit.SECONDS.toNanos(l.ttlSeconds());
        l.expireAt(at);
        expiry.scheduled(l, at);
    }
}
