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

    @Override
    void close();
}
