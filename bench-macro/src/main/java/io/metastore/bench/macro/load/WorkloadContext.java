package io.metastore.bench.macro.load;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Everything a workload needs besides its own shape: the client endpoints its connections are
 * spread over (round-robin, in this order), how long to warm up and measure, how many requests
 * each client keeps in flight, the data, what to read around the measured window, and the
 * profiling window to run (on the calling thread, with the load still running) after it.
 */
public record WorkloadContext(List<InetSocketAddress> targets, Duration warmup, Duration duration, int inflight,
                              Keys keys, WindowProbe probe, ProfileWindow profile) {
    public WorkloadContext {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a workload needs at least one endpoint");
        }
        targets = List.copyOf(targets);
    }
}
