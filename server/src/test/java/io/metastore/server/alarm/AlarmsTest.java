package io.metastore.server.alarm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quota check's use of the engine's size: reused briefly far from the quota, asked every time near it. */
class AlarmsTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicLong size = new AtomicLong();
    private final AtomicLong asked = new AtomicLong();
    private final Alarms alarms = new Alarms(1000, () -> {
        asked.incrementAndGet();
        return size.get();
    }, now::get);

    @Test
    void farBelowTheQuotaTheSizeIsReusedFor100Ms() {
        size.set(100);
        assertTrue(alarms.withinQuota());
        assertTrue(alarms.withinQuota());
        assertEquals(1, asked.get());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        size.set(2000);
        assertFalse(alarms.withinQuota(), "after 100 ms the engine is asked again");
        assertEquals(2, asked.get());
    }

    @Test
    void nearTheQuotaEveryRequestAsks() {
        size.set(600);
        assertTrue(alarms.withinQuota());
        size.set(1001);
        assertFalse(alarms.withinQuota());
        assertEquals(2, asked.get());
    }

    @Test
    void withoutAQuotaTheEngineIsNeverAsked() {
        Alarms none = new Alarms(0, () -> {
            asked.incrementAndGet();
            return Long.MAX_VALUE;
        }, now::get);
        assertTrue(none.withinQuota());
        assertEquals(0, asked.get());
    }
}
