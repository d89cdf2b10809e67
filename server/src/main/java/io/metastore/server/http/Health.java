package io.metastore.server.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * etcd 3.4's {@code /health} check: unhealthy while an alarm is raised or no leader is known;
 * otherwise healthy only if a linearizable read (a Raft ReadIndex round, etcd's QGET) completes
 * within one second, which needs a quorum.
 */
public final class Health {
    static final long QUORUM_READ_TIMEOUT_MS = 1000;

    private final BooleanSupplier hasLeader;
    private final BooleanSupplier alarmRaised;
    private final Supplier<CompletableFuture<Void>> quorumRead;

    public Health(BooleanSupplier hasLeader, BooleanSupplier alarmRaised, Supplier<CompletableFuture<Void>> quorumRead) {
        this.hasLeader = hasLeader;
        this.alarmRaised = alarmRaised;
        this.quorumRead = quorumRead;
    }

    /** Completes with the verdict (never exceptionally), within about a second. */
    public CompletableFuture<Boolean> check() {
        if (alarmRaised.getAsBoolean() || !hasLeader.getAsBoolean()) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Void> read;
        try {
            read = quorumRead.get();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(false);
        }
        return read.orTimeout(QUORUM_READ_TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((ok, error) -> error == null);
    }
}
