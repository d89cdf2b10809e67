package io.metastore.server.grpc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final TokenBucket bucket = new TokenBucket(4, now::get);

    @Test
    void aFullBucketGivesOneSecondsWorthThenRefuses() {
        for (int i = 0; i < 4; i++) {
            assertTrue(bucket.tryTake(), "token " + i);
        }
        assertFalse(bucket.tryTake());
        assertFalse(bucket.tryTake());
    }

    @Test
    void tokensComeBackAtTheRate() {
        for (int i = 0; i < 4; i++) {
            bucket.tryTake();
        }
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(249));
        assertFalse(bucket.tryTake());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());
    }

    @Test
    void anIdleBucketHoldsNoMoreThanOneSecondsWorth() {
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        for (int i = 0; i < 4; i++) {
            assertTrue(bucket.tryTake());
        }
        assertFalse(bucket.tryTake());
    }
}
