package io.metastore.reliability;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.metastore.reliability.Op.cas;
import static io.metastore.reliability.Op.delete;
import static io.metastore.reliability.Op.read;
import static io.metastore.reliability.Op.write;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small histories whose verdict is known, each drawn as intervals on a time line. */
class LinearizabilityCheckerTest {
    final LinearizabilityChecker checker = new LinearizabilityChecker(1_000_000);

    boolean linearizable(Op... ops) {
        return checker.check(List.of(ops)).linearizable();
    }

    @Test
    void sequentialWritesAndReadsAreLinearizable() {
        assertTrue(linearizable(write("k", "1", 0, 10), read("k", "1", 20, 30), write("k", "2", 40, 50),
                read("k", "2", 60, 70)));
    }

    @Test
    void aStaleReadIsRejected() {
        // write 1 |--|  write 2 |--|  read -> 1 |--|   the read starts after write 2 completed
        assertFalse(linearizable(write("k", "1", 0, 10), write("k", "2", 20, 30), read("k", "1", 40, 50)));
    }

    @Test
    void aReadOfAValueNeverWrittenIsRejected() {
        assertFalse(linearizable(write("k", "1", 0, 10), read("k", "7", 20, 30)));
    }

    @Test
    void readingAbsentBeforeAnyWriteIsLinearizable() {
        assertTrue(linearizable(read("k", null, 0, 5), write("k", "1", 10, 20), read("k", "1", 30, 40)));
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        // write 2 |-----------|
        //     read -> 1 |--|        read -> 2 |--|   (both overlap the write)
        Op w1 = write("k", "1", 0, 5);
        Op w2 = write("k", "2", 10, 100);
        assertTrue(linearizable(w1, w2, read("k", "1", 20, 30), read("k", "2", 40, 50)));
        assertTrue(linearizable(w1, w2, read("k", "2", 20, 30)));
        assertTrue(linearizable(w1, w2, read("k", "1", 20, 30)));
    }

    @Test
    void onceANewValueIsSeenAnOlderOneMayNotBeSeenAgain() {
        // read -> 2 completes, then read -> 1 starts: going back in time, even while the write is running
        assertFalse(linearizable(write("k", "1", 0, 5), write("k", "2", 10, 100),
                read("k", "2", 20, 30), read("k", "1", 40, 50)));
    }

    @Test
    void concurrentWritesMayBeOrderedEitherWay() {
        Op a = write("k", "a", 0, 50);
        Op b = write("k", "b", 10, 60);
        assertTrue(linearizable(a, b, read("k", "a", 70, 80)));
        assertTrue(linearizable(a, b, read("k", "b", 70, 80)));
        assertFalse(linearizable(a, b, read("k", "a", 70, 80), read("k", "b", 90, 95)));
    }

    @Test
    void casSucceedsOnlyOnTheExpectedValue() {
        assertTrue(linearizable(write("k", "1", 0, 10), cas("k", "1", "2", true, 20, 30), read("k", "2", 40, 50)));
        assertFalse(linearizable(write("k", "1", 0, 10), cas("k", "9", "2", true, 20, 30)));
        assertTrue(linearizable(write("k", "1", 0, 10), cas("k", "9", "2", false, 20, 30), read("k", "1", 40, 50)));
        assertFalse(linearizable(write("k", "1", 0, 10), cas("k", "1", "2", false, 20, 30)));
    }

    @Test
    void casOnAnAbsentKeyFails() {
        assertTrue(linearizable(cas("k", "1", "2", false, 0, 10), read("k", null, 20, 30)));
        assertFalse(linearizable(cas("k", "1", "2", true, 0, 10)));
    }

    @Test
    void twoConcurrentCasFromTheSameValueCannotBothSucceed() {
        assertFalse(linearizable(write("k", "0", 0, 5),
                cas("k", "0", "a", true, 10, 50), cas("k", "0", "b", true, 20, 60)));
        assertTrue(linearizable(write("k", "0", 0, 5),
                cas("k", "0", "a", true, 10, 50), cas("k", "0", "b", false, 20, 60), read("k", "a", 70, 80)));
    }

    @Test
    void deleteReportsWhetherTheKeyWasThere() {
        assertTrue(linearizable(write("k", "1", 0, 10), delete("k", 1, 20, 30), read("k", null, 40, 50),
                delete("k", 0, 60, 70)));
        assertFalse(linearizable(write("k", "1", 0, 10), delete("k", 1, 20, 30), delete("k", 1, 40, 50)));
        assertFalse(linearizable(write("k", "1", 0, 10), delete("k", 1, 20, 30), read("k", "1", 40, 50)));
    }

    @Test
    void anUnknownWriteMayHaveHappenedLaterOrNever() {
        Op lost = write("k", "2", 10, 20).unknown();
        assertTrue(linearizable(write("k", "1", 0, 5), lost, read("k", "1", 30, 40)));
        assertTrue(linearizable(write("k", "1", 0, 5), lost, read("k", "1", 30, 40), read("k", "2", 50, 60)));
        // ...but not before it was invoked
        assertFalse(linearizable(write("k", "1", 0, 5), read("k", "2", 6, 8), lost));
        // ...and not twice
        assertFalse(linearizable(write("k", "1", 0, 5), lost, read("k", "2", 30, 40), write("k", "3", 45, 48),
                read("k", "2", 50, 60)));
    }

    @Test
    void anUnseenUnknownWriteMayExplainADeleteOfOneKey() {
        // the key was absent; a write timed out but was applied; a delete then removed it
        assertTrue(linearizable(read("k", null, 0, 5), write("k", "x", 10, 20).unknown(), delete("k", 1, 30, 40)));
        assertFalse(linearizable(read("k", null, 0, 5), delete("k", 1, 30, 40)));
    }

    @Test
    void manyUnknownWritesDoNotHideAStaleRead() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ops.add(write("k", "lost" + i, i * 10, i * 10 + 5).unknown());
            ops.add(delete("k", 0, i * 10, i * 10 + 5).unknown());
        }
        ops.add(write("k", "1", 3000, 3010));
        ops.add(write("k", "2", 3020, 3030));
        ops.add(read("k", "1", 3040, 3050));
        LinearizabilityChecker.Verdict v = checker.check(ops);
        assertFalse(v.linearizable(), v.describe());
        assertFalse(v.exhausted(), v.describe());
    }

    @Test
    void aFailedWriteNeverTookEffect() {
        Op refused = new Op(0, Op.Kind.WRITE, "k", "2", null, Op.Outcome.FAILED, null, false, 0, 0, 10, 20);
        assertFalse(linearizable(write("k", "1", 0, 5), refused, read("k", "2", 30, 40)));
    }

    @Test
    void keysAreIndependent() {
        assertTrue(linearizable(write("a", "1", 0, 10), write("b", "1", 0, 10), read("a", "1", 20, 30),
                read("b", "1", 20, 30)));
        assertFalse(linearizable(write("a", "1", 0, 10), write("b", "2", 0, 10), read("a", "2", 20, 30)));
    }

    @Test
    void aLongConcurrentHistoryFromARealRegisterIsAccepted() {
        // five clients on one atomic register with overlapping intervals; every operation takes
        // effect at a random instant inside its interval, so the history is linearizable by construction
        Random random = new Random(42);
        List<Op> ops = new ArrayList<>();
        String value = null;
        long[] busyUntil = new long[5];
        int unique = 0;
        for (long t = 0; t < 8_000; t++) {
            int c = random.nextInt(5);
            if (busyUntil[c] > t) {
                continue;
            }
            long invoke = t;
            long at = t; // the instant it takes effect, and completion somewhat later
            long complete = at + 1 + random.nextInt(40);
            busyUntil[c] = complete + 1;
            switch (random.nextInt(4)) {
                case 0 -> ops.add(new Op(c, Op.Kind.READ, "k", null, null, Op.Outcome.OK, value, false, 0, 0, invoke, complete));
                case 1 -> {
                    value = "v" + unique++;
                    ops.add(new Op(c, Op.Kind.WRITE, "k", value, null, Op.Outcome.OK, null, false, 0, 0, invoke, complete));
                }
                case 2 -> {
                    String expected = random.nextBoolean() && value != null ? value : "v" + random.nextInt(unique + 1);
                    boolean holds = expected.equals(value);
                    String next = "v" + unique++;
                    if (holds) {
                        value = next;
                    }
                    ops.add(new Op(c, Op.Kind.CAS, "k", next, expected, Op.Outcome.OK, null, holds, 0, 0, invoke, complete));
                }
                default -> {
                    long deleted = value == null ? 0 : 1;
                    value = null;
                    Op d = new Op(c, Op.Kind.DELETE, "k", null, null, Op.Outcome.OK, null, false, deleted, 0, invoke, complete);
                    ops.add(random.nextInt(20) == 0 ? d.unknown() : d);
                }
            }
        }
        LinearizabilityChecker.Verdict v = checker.check(ops);
        assertTrue(v.linearizable(), v.describe());
        assertTrue(ops.size() > 300);
    }
}
