package io.metastore.bench.macro.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process as Linux accounts it: user plus system time ({@code utime + stime},
 * fields 14 and 15 of {@code /proc/<pid>/stat}) in clock ticks, {@code getconf CLK_TCK} per
 * second (normally 100, so one tick is 10 ms). Absent where there is no /proc (not Linux) or the
 * process is gone.
 */
public final class ProcCpu {
    private static final long DEFAULT_TICKS_PER_SECOND = 100;

    private final long ticksPerSecond;

    public ProcCpu(long ticksPerSecond) {
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Asks {@code getconf CLK_TCK}; 100 when it cannot be asked. */
    public static ProcCpu detect() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                long ticks = Long.parseLong(text);
                if (ticks > 0) {
                    return new ProcCpu(ticks);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall back to the usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcCpu(DEFAULT_TICKS_PER_SECOND);
    }

    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    /** utime + stime of process {@code pid}, in ticks. */
    public OptionalLong ticks(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of this JVM (the load generator), in ticks. */
    public OptionalLong selfTicks() {
        return read(Path.of("/proc/self/stat"));
    }

    private static OptionalLong read(Path stat) {
        try {
            return OptionalLong.of(parseTicks(Files.readString(stat)));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * utime + stime from one {@code /proc/<pid>/stat} line. The second field is the command name
     * in parentheses and may itself hold spaces and parentheses ({@code 4242 (my (odd) cmd) S ...}),
     * so fields are counted from after its last {@code ')'}: the token there is field 3.
     */
    static long parseTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    public double seconds(long ticks) {
        return (double) ticks / ticksPerSecond;
    }
}
