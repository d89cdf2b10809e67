package io.metastore.bench.macro.probe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent over one measured window: user + system seconds of each server process by
 * member name, and of the load generator (the harness JVM); and the same per request, in
 * microseconds: {@code serverUsPerOp} is the sum over all members divided by the window's
 * successful requests. A figure is null where it could not be read (an external target has
 * no process here) or there were no requests. At 100 ticks a second each reading is exact to
 * 10 ms, so over short windows these are coarse.
 */
public record CpuUse(long ticksPerSecond, long ops, Map<String, Double> memberSeconds, Double clientSeconds,
                     Double serverUsPerOp, Map<String, Double> memberUsPerOp, Double clientUsPerOp) {
    public CpuUse {
        // In member order (m1, m2, ...), as the cell files show them.
        memberSeconds = Collections.unmodifiableMap(new LinkedHashMap<>(memberSeconds));
        memberUsPerOp = Collections.unmodifiableMap(new LinkedHashMap<>(memberUsPerOp));
    }
}
