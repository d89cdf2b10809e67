package io.metastore.bench.macro.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmupWriterTest {
    @Test
    void steadyFromTheFirstSecondAfterWhichEveryFiveSecondAverageIsWithinFivePercent() {
        List<Long> rising = List.of(10L, 20L, 50L, 100L, 100L, 100L, 100L, 100L, 100L, 100L);
        // windows from 0, 1 and 2 average 56, 74 and 90: below 95; from 3 on, 100.
        assertEquals(OptionalInt.of(3), WarmupWriter.secondsToSteady(rising, 100));
        assertEquals(OptionalInt.of(0), WarmupWriter.secondsToSteady(List.of(96L, 94L, 95L, 95L, 95L, 100L), 100));
    }

    @Test
    void aDipLateInTheLineMovesTheSteadyPointPastIt() {
        List<Long> dip = List.of(100L, 100L, 100L, 100L, 100L, 100L, 40L, 100L, 100L, 100L, 100L, 100L, 100L);
        // every window holding second 6 averages 88: the last of them starts at 6.
        assertEquals(OptionalInt.of(7), WarmupWriter.secondsToSteady(dip, 100));
    }

    @Test
    void reachingIsTheFirstFiveSecondAverageWithinFivePercentWhateverFollows() {
        List<Long> dip = List.of(10L, 100L, 100L, 100L, 100L, 100L, 40L, 100L, 100L, 100L, 100L, 100L, 100L);
        // from 1 the average is 100; the dip at 6 moves "stays" to 7 but not "reaches"
        assertEquals(OptionalInt.of(1), WarmupWriter.secondsToReach(dip, 100));
        assertEquals(OptionalInt.of(7), WarmupWriter.secondsToSteady(dip, 100));
        assertEquals(OptionalInt.empty(), WarmupWriter.secondsToReach(List.of(10L, 20L, 30L, 40L, 50L, 60L), 100));
    }

    @Test
    void noFigureWithoutAFullWindowOrASteadyRate() {
        assertEquals(OptionalInt.empty(), WarmupWriter.secondsToSteady(List.of(1L, 2L, 3L, 4L), 3));
        assertEquals(OptionalInt.empty(), WarmupWriter.secondsToSteady(List.of(1L, 2L, 3L, 4L, 5L), 0));
    }
}
