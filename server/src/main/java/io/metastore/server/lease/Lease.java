package io.metastore.server.lease;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One granted lease: its id and TTL (replicated), the keys attached to it (derived from the
 * store), and — on the leader only — when it expires.
 *
 * <p>Threading: {@code keys} changes on the apply thread and is read by request threads;
 * {@code expiresAtNanos} and {@code expired} are written by the apply thread (grant, promotion)
 * and, under the lessor's deadline lock, by keep-alive request threads and the expiry loop.
 * {@code revoked} completes on the apply thread once the lease's revoke is committed.
 */
public final class Lease {
    /** An expiry that never comes: leases on a member that is not the leader. */
    static final long NEVER = Long.MAX_VALUE;

    private final long id;
    private final long ttlSeconds;
    private final ConcurrentSkipListSet<byte[]> keys = new ConcurrentSkipListSet<>(Arrays::compareUnsigned);
    private volatile long expiresAtNanos = NEVER;
    /** Named by the expiry loop on this leader: a revoke is on its way, so it is never renewed. */
    private volatile boolean expired;
    private final CompletableFuture<Void> revoked = new CompletableFuture<>();

    Lease(long id, long ttlSeconds) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
    }

    public long id() {
        return id;
    }

    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** The attached keys in byte order (etcd revokes them in this order). */
    public List<byte[]> keys() {
        return List.copyOf(keys);
    }

    void attach(byte[] key) {
        keys.add(key);
    }

    void detach(byte[] key) {
        keys.remove(key);
    }

    long expiresAtNanos() {
        return expiresAtNanos;
    }

    void expireAt(long nanos) {
        expiresAtNanos = nanos;
    }

    boolean isExpired(long nowNanos) {
        return expired || (expiresAtNanos != NEVER && expiresAtNanos - nowNanos <= 0);
    }

    void markExpired() {
        expired = true;
    }

    /** A fresh deadline (promotion): the lease lives again, as etcd's promotion refreshes every lease. */
    void unmarkExpired() {
        expired = false;
    }

    /** Completes once the lease's revoke is committed; fails when its table was rebuilt from the store. */
    CompletableFuture<Void> revoked() {
        return revoked;
    }
}
