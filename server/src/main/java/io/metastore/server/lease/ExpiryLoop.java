package io.metastore.server.lease;

import io.metastore.command.LeaseRevoke;
import io.metastore.server.propose.Proposer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * On the leader, every tick, proposes a LeaseRevoke for each expired lease (at most
 * {@link #REVOKES_PER_TICK}, etcd's revoke rate of 1000/s at its 500 ms check interval). A
 * lease whose revoke does not commit is named again after {@link #RETRY_SECONDS}, as etcd
 * retries. Nothing here touches replicated state: the revoke goes through the log.
 */
public final class ExpiryLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryLoop.class);
    static final int REVOKES_PER_TICK = 500;
    static final long RETRY_SECONDS = 3;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-expiry");
        t.setDaemon(true);
        return t;
    });

    /** {@code expired} runs once for each expired lease whose revoke was applied. */
    public ExpiryLoop(Lessor lessor, Proposer proposer, long tickMillis, Runnable expired) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                for (Lease l : lessor.takeExpired(REVOKES_PER_TICK, TimeUnit.SECONDS.toNanos(RETRY_SECONDS))) {
                    proposer.propose(new LeaseRevoke(l.id())).thenAccept(a -> {
                        if (!a.isError()) {
                            expired.run();
                        }
                    });
                }
            } catch (RuntimeException e) {
                LOG.warn("lease expiry tick failed", e);
            }
        }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
