package io.metastore.bench.macro.subject;

import java.util.OptionalLong;

/**
 * A started (or already running) server for one cell. {@code pid} is present for a JVM the
 * harness started (what the profiler attaches to); {@code startupLine} is the server's own
 * description of its effective settings, when it prints one.
 */
public interface Endpoint extends AutoCloseable {
    String host();

    int port();

    OptionalLong jvmPid();

    String startupLine();

    @Override
    void close();
}
