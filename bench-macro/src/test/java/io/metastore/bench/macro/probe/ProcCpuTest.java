package io.metastore.bench.macro.probe;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcCpuTest {
    @Test
    void utimePlusStimeAreCountedFromAfterTheCommandName() {
        // fields 14 (utime) = 250, 15 (stime) = 40; the command name holds spaces and parentheses
        String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 40 0 0 20 0 31 0 12345 "
                + "1000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(290, ProcCpu.parseTicks(stat));
    }

    @Test
    void thisJvmHasSpentCpu() {
        ProcCpu cpu = ProcCpu.detect();
        assertTrue(cpu.ticksPerSecond() > 0);
        assertTrue(cpu.selfTicks().orElse(1) > 0);
        assertEquals(cpu.selfTicks().isPresent(), cpu.ticks(ProcessHandle.current().pid()).isPresent());
    }
}
