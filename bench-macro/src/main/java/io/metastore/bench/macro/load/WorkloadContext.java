package io.metastore.bench.macro.load;

import java.time.Duration;

/**
 * Everything a workload needs besides its own shape: where the server is, how long to warm up
 * and measure, how many requests each client keeps in flight, the data, and the profiling
 * window to run (on the calling thread, with the load still running) after the measured one.
 */
public record WorkloadContext(String host, int port, Duration warmup, Duration duration, int inflight, Keys keys,
                              ProfileWindow profile) {
}
