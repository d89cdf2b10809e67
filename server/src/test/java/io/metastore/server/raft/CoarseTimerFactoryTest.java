package io.metastore.server.raft;

import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoarseTimerFactoryTest {
    @Test
    void jraftLoadsItAheadOfItsOwnFactory() {
        assertInstanceOf(CoarseTimerFactory.class, JRaftUtils.raftTimerFactory());
    }

    @Test
    void itsWheelsTickAtTheFlagsIntervalAndStillFireTheirTimeouts() throws Exception {
        String before = System.getProperty(CoarseTimerFactory.TICK_PROPERTY);
        try {
            CoarseTimerFactory.useTick(25);
            assertEquals(25, CoarseTimerFactory.tickMs());
            Timer timer = new CoarseTimerFactory().createTimer("test-timer");
            try {
                assertInstanceOf(HashedWheelTimer.class, timer);
                CountDownLatch fired = new CountDownLatch(1);
                timer.newTimeout(t -> fired.countDown(), 1, TimeUnit.MILLISECONDS);
                assertTrue(fired.await(10, TimeUnit.SECONDS), "the timeout never fired");
            } finally {
                timer.stop();
            }
            System.clearProperty(CoarseTimerFactory.TICK_PROPERTY);
            assertEquals(10, CoarseTimerFactory.tickMs(), "the default");
        } finally {
            if (before == null) {
                System.clearProperty(CoarseTimerFactory.TICK_PROPERTY);
            } else {
                System.setProperty(CoarseTimerFactory.TICK_PROPERTY, before);
            }
        }
    }
}
