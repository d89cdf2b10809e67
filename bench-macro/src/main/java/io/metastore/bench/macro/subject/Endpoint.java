package io.metastore.bench.macro.subject;

import java.util.List;
import java.util.OptionalLong;

/**
 * A started (or already running) server for one cell: its members, in start order (one for a
 * single node or an external target). {@code jvmPid} is present for a JVM the harness started
 * (what the profiler attaches to: the leader's, for a cluster); {@code startupLine} is the
 * server's own description of its effective settings, when it prints one.
 */
public interface Endpoint extends AutoCloseable {
    List<Member> members();

    OptionalLong jvmPid();

    String startupLine();

    /** Milliseconds from the first member's launch until every member answered (0 where the harness did not start it). */
    default long readyMillis() {
        return 0;
    }

    /**
     * Stops the servers as {@link #close} does, but gives each up to {@code grace} to exit on
     * SIGTERM: a JVM recording an AOT cache writes it while it exits.
     */
    default void close(java.time.Duration grace) {
        close();
    }

    @Override
    void close();
}
