package io.metastore.server.lease;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One granted lease: its id and TTL (replicated), the keys attached to it (derived from the
 * store), and — on the leader only — when it expires.
 *
 * <p>Threading: {@code keys} changes on the apply thread and is read by request threads;
 * {@code expiresAtNanos} is written by the apply thread (grant, promotion) and by keep-alive
 * request threads, read by the expiry loop.
 */
public final class Lease {
    /** An expiry that never comes: leases on a member that is not the leader. */
    static final long NEVER = Long.MAX_VALUE;

    private final long id;
    private final long ttlSeconds;
    private final ConcurrentSkipListSet<byte[]> keys = new ConcurrentSkipListSet<>(Arrays::compareUnsigned);
    private volatile long expiresAtNanos = NEVER;

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
}
