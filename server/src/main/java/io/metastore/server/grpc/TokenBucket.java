package io.metastore.server.grpc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A lock-free token bucket of {@code perSecond} tokens a second holding at most one second's
 * worth, kept as one number: the time at which the bucket will be full again (the "theoretical
 * arrival time" of the generic cell rate algorithm). Taking a token moves that time one interval
 * later; a token is refused when the time would move more than a second past now, i.e. when the
 * bucket is empty. A refusal never waits and never queues.
 *
 * <p>Worked example, 4 tokens a second (an interval of 250 ms), burst 4: at t=0 with a full
 * bucket, {@code full} is 0; four calls at t=0 move it to 250, 500, 750, 1000 ms (each at most
 * 1 s past now, so allowed); a fifth at t=0 would move it to 1250 ms, more than 1 s ahead:
 * refused. At t=250 ms one token has come back: 1250 - 250 = 1000 ms, allowed.
 */
public final class TokenBucket {
    private final long intervalNanos;
    private final long burstNanos;
    private final LongSupplier clock;
    private final AtomicLong full;

    public TokenBucket(int perSecond, LongSupplier nanoClock) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.burstNanos = intervalNanos * perSecond;
        this.clock = nanoClock;
        this.full = new AtomicLong(nanoClock.getAsLong());
    }

    /** Takes a token if there is one; never blocks. */
    public boolean tryTake() {
        long now = clock.getAsLong();
        while (true) {
            long current = full.get();
            long next = Math.max(current, now) + intervalNanos;
            if (next - now > burstNanos) {
                return false;
            }
            if (full.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
