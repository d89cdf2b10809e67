package io.metastore.server.raft;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;

import java.util.concurrent.TimeUnit;

/**
 * jraft's timer factory, found by jraft's service loader ahead of its default one (higher
 * priority), with one difference: the hashed-wheel timers it makes tick every
 * {@value #DEFAULT_TICK_MS} ms instead of every millisecond. The one such timer every process
 * has is jraft's ReadIndex timeout scanner (a static of {@code ReadIndexClosure}, made on the
 * first linearizable read): its worker woke a thousand times a second whether or not anything
 * was due, which was most of an idle member's CPU. It holds each read's 2 s timeout, so its
 * tick only decides how late a timed-out read learns it; the election, vote and step-down
 * timers come from it too when {@code --raft-shared-timers false}. The tick is
 * {@code --raft-timer-tick-ms} (1 is jraft's own), kept in the {@value #TICK_PROPERTY} system
 * property because jraft makes this factory and the scanner itself, once per process: a member
 * sets it before its node starts, and the scanner takes the tick of the process's first
 * linearizable read.
 */
@SPI(priority = 100)
public final class CoarseTimerFactory extends DefaultRaftTimerFactory {
    public static final String TICK_PROPERTY = "metastore.raft.timer-tick-ms";
    private static final int DEFAULT_TICK_MS = 10;
    private static final int TICKS_PER_WHEEL = 2048;

    @Override
    public Timer createTimer(String name) {
        return new HashedWheelTimer(new NamedThreadFactory(name, true), tickMs(), TimeUnit.MILLISECONDS,
                TICKS_PER_WHEEL);
    }

    /** The tick of the timers made from now on, in milliseconds (at least 1). */
    static long tickMs() {
        return Math.max(1, Long.getLong(TICK_PROPERTY, DEFAULT_TICK_MS));
    }

    /** Sets the tick of the timers jraft makes from now on. */
    static void useTick(int ms) {
        System.setProperty(TICK_PROPERTY, Integer.toString(ms));
    }
}
