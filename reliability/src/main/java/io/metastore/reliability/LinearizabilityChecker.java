package io.metastore.reliability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a history of operations on independent registers (one per key) is
 * linearizable, with the Wing &amp; Gong search as improved by Lowe (just-in-time linearization
 * and memoization of visited configurations).
 *
 * <p>Keys are independent, so each key's sub-history is checked alone (linearizability is
 * compositional). For one key the search builds a linearization from the front: the next
 * operation may be any pending one invoked before the earliest completion among the pending
 * acknowledged operations (anything later would break real-time order). Each candidate is applied
 * to the register model; an illegal step backtracks. A configuration (set of linearized
 * operations, register value) already explored is never explored again.
 *
 * <p>The register: a value or absent ({@code null}).
 * <ul>
 *   <li>READ observing v is legal iff the register holds v;</li>
 *   <li>WRITE v sets it;</li>
 *   <li>CAS e→v that succeeded is legal iff the register holds e, then sets v; one that failed is
 *       legal iff it does not hold e (etcd's value comparison on an absent key fails);</li>
 *   <li>DELETE that reported n deleted keys is legal iff n is 1 when present, 0 when absent; it
 *       empties the register.</li>
 * </ul>
 * Operations with an UNKNOWN outcome may take effect at any time after their invocation, or never:
 * they complete at infinity and the search may leave them out. FAILED operations were refused and
 * are dropped, as are reads that did not answer.
 *
 * <p>Worked example of a stale read it rejects: {@code write 1 [0,10]}, {@code write 2 [20,30]},
 * {@code read -> 1 [40,50]}. The read starts after write 2 completed, so every linearization
 * orders write 1, write 2, read; the read must see 2.
 */
public final class LinearizabilityChecker {

    /** The answer for the whole history. */
    public record Verdict(boolean linearizable, boolean exhausted, int keys, long opsChecked, long configurations,
                          String failingKey, String explanation) {
        public String describe() {
            if (exhausted) {
                return "UNDECIDED (search budget exhausted on key " + failingKey + ")";
            }
            return linearizable ? "LINEARIZABLE (" + keys + " keys, " + opsChecked + " operations, "
                    + configurations + " configurations explored)"
                    : "NOT LINEARIZABLE on key " + failingKey + ": " + explanation;
        }
    }

    private final long budget;

    /** The value of a write whose value no operation observed; no client writes it. */
    static final String UNSEEN = "\u0000unseen";

    /** @param budget most configurations explored per key before giving up (the verdict is then undecided) */
    public LinearizabilityChecker(long budget) {
        this.budget = budget;
    }

    public Verdict check(List<Op> history) {
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        long checked = 0;
        long configurations = 0;
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            KeySearch search = new KeySearch(relevant(e.getValue()), budget);
            Result r = search.run();
            checked += search.ops.length;
            configurations += r.configurations;
            if (r.exhausted) {
                return new Verdict(false, true, byKey.size(), checked, configurations, e.getKey(), "budget exhausted");
            }
            if (!r.linearizable) {
                return new Verdict(false, false, byKey.size(), checked, configurations, e.getKey(), r.explanation);
            }
        }
        return new Verdict(true, false, byKey.size(), checked, configurations, null, null);
    }

    /**
     * Drops what cannot affect the register: refused operations and reads without an answer.
     * Unknown writes and CASes whose value nobody ever saw (no read returned it, no successful CAS
     * expected it) write {@link #UNSEEN} instead, which changes no verdict (nothing compares with
     * it) but makes such writes interchangeable; see {@link KeySearch#candidates}.
     */
    private static List<Op> relevant(List<Op> ops) {
        Set<String> seen = new HashSet<>();
        for (Op op : ops) {
            if (op.outcome() == Op.Outcome.OK && op.kind() == Op.Kind.READ && op.read() != null) {
                seen.add(op.read());
            }
            if (op.outcome() == Op.Outcome.OK && op.kind() == Op.Kind.CAS && op.succeeded()) {
                seen.add(op.expected());
            }
        }
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            if (op.outcome() == Op.Outcome.FAILED) {
                continue;
            }
            if (op.outcome() == Op.Outcome.UNKNOWN) {
                if (op.kind() == Op.Kind.READ) {
                    continue;
                }
                if ((op.kind() == Op.Kind.WRITE || op.kind() == Op.Kind.CAS) && !seen.contains(op.value())) {
                    op = new Op(op.client(), op.kind(), op.key(), UNSEEN, op.expected(), op.outcome(), null, false, 0, 0,
                            op.invoke(), op.complete());
                }
                out.add(op.complete() == Long.MAX_VALUE ? op : op.unknown());
            } else {
                out.add(op);
            }
        }
        out.sort(Comparator.comparingLong(Op::invoke));
        return out;
    }

    private record Result(boolean linearizable, boolean exhausted, long configurations, String explanation) {
    }

    /**
     * Visited configurations as 64-bit fingerprints in an open-addressing table: the set of
     * linearized operations hashes Zobrist-style (the sum of a random word per operation, updated
     * in O(1) as operations are linearized and undone), mixed with the register's value. Keeping
     * whole bit sets instead costs O(n) bytes per configuration, too much for long histories. A
     * fingerprint collision (about 1e-7 after millions of configurations) can only prune a
     * configuration that was not visited, so it could turn a linearizable verdict into a rejection,
     * never accept a history that is not linearizable.
     */
    private static final class Fingerprints {
        private long[] table = new long[1 << 16];
        private int size;

        /** Adds {@code f}; false if it was there. */
        boolean add(long f) {
            if (f == 0) {
                f = 1; // 0 marks an empty slot
            }
            if (size * 2 >= table.length) {
                grow();
            }
            int mask = table.length - 1;
            for (int i = (int) (mix(f) & mask); ; i = (i + 1) & mask) {
                if (table[i] == 0) {
                    table[i] = f;
                    size++;
                    return true;
                }
                if (table[i] == f) {
                    return false;
                }
            }
        }

        private void grow() {
            long[] old = table;
            table = new long[old.length * 2];
            size = 0;
            for (long f : old) {
                if (f != 0) {
                    add(f);
                }
            }
        }
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The search over one key's operations, sorted by invocation; iterative so long histories do not overflow the stack. */
    private static final class KeySearch {
        private static final Object ILLEGAL = new Object();
        final Op[] ops;
        final long budget;

        /** 1: unknown write of an unseen value; 2: unknown delete; 0: anything else. Members of a class are interchangeable. */
        final int[] interchangeable;

        KeySearch(List<Op> ops, long budget) {
            this.ops = ops.toArray(new Op[0]);
            this.budget = budget;
            this.interchangeable = new int[this.ops.length];
            for (int i = 0; i < this.ops.length; i++) {
                Op op = this.ops[i];
                if (op.outcome() == Op.Outcome.UNKNOWN) {
                    interchangeable[i] = op.kind() == Op.Kind.WRITE && UNSEEN.equals(op.value()) ? 1
                            : op.kind() == Op.Kind.DELETE ? 2 : 0;
                }
            }
        }

        /** The register after {@code op}, or ILLEGAL. */
        static Object step(String value, Op op) {
            boolean unknown = op.outcome() == Op.Outcome.UNKNOWN;
            return switch (op.kind()) {
                case READ -> Objects.equals(value, op.read()) ? value : ILLEGAL;
                case WRITE -> op.value();
                case CAS -> {
                    boolean holds = op.expected() != null && op.expected().equals(value);
                    if (unknown) {
                        // a CAS whose comparison fails changes nothing: same as leaving it out
                        yield holds ? op.value() : ILLEGAL;
                    }
                    if (op.succeeded()) {
                        yield holds ? op.value() : ILLEGAL;
                    }
                    yield holds ? ILLEGAL : value;
                }
                case DELETE -> {
                    if (!unknown && op.deleted() != (value == null ? 0 : 1)) {
                        yield ILLEGAL;
                    }
                    yield NONE;
                }
            };
        }

        /** Stands for the absent value in {@link #step}'s result (null is a legal register value). */
        private static final Object NONE = new Object();

        private static String valueOf(Object stepped) {
            return stepped == NONE ? null : (String) stepped;
        }

        /** Candidates to linearize next: pending operations invoked before the earliest pending completion. */
        int[] candidates(BitSet linearized) {
            long minComplete = Long.MAX_VALUE;
            for (int i = linearized.nextClearBit(0); i < ops.length; i = linearized.nextClearBit(i + 1)) {
                if (ops[i].invoke() >= minComplete) {
                    break; // sorted by invocation: nothing later can precede the earliest completion
                }
                minComplete = Math.min(minComplete, ops[i].complete());
            }
            List<Integer> acknowledged = new ArrayList<>();
            List<Integer> unknown = new ArrayList<>();
            boolean unseenWrite = false;
            boolean unknownDelete = false;
            for (int i = linearized.nextClearBit(0); i < ops.length; i = linearized.nextClearBit(i + 1)) {
                if (ops[i].invoke() >= minComplete) {
                    break;
                }
                if (ops[i].outcome() != Op.Outcome.UNKNOWN) {
                    acknowledged.add(i);
                } else if (interchangeable[i] == 1) {
                    // every available unknown write of an unseen value has the same effect and stays
                    // available for good: trying one of them covers them all
                    if (!unseenWrite) {
                        unknown.add(i);
                    }
                    unseenWrite = true;
                } else if (interchangeable[i] == 2) {
                    if (!unknownDelete) {
                        unknown.add(i);
                    }
                    unknownDelete = true;
                } else {
                    unknown.add(i);
                }
            }
            // acknowledged operations first, earliest completion first: the greedy path usually succeeds
            acknowledged.sort(Comparator.comparingLong(i -> ops[i].complete()));
            int[] out = new int[acknowledged.size() + unknown.size()];
            int n = 0;
            for (int i : acknowledged) {
                out[n++] = i;
            }
            for (int i : unknown) {
                out[n++] = i;
            }
            return out;
        }

        private static final class Frame {
            final int[] candidates;
            final int entered;      // the operation linearized to reach this frame, -1 at the root
            final String before;    // the register before it
            int next;

            Frame(int[] candidates, int entered, String before) {
                this.candidates = candidates;
                this.entered = entered;
                this.before = before;
            }
        }

        Result run() {
            int mandatory = 0;
            for (Op op : ops) {
                if (op.outcome() == Op.Outcome.OK) {
                    mandatory++;
                }
            }
            BitSet linearized = new BitSet(ops.length);
            long[] zobrist = new long[ops.length];
            java.util.SplittableRandom words = new java.util.SplittableRandom(ops.length);
            long[] classWord = {0, words.nextLong(), words.nextLong()};
            for (int k = 0; k < zobrist.length; k++) {
                // interchangeable operations share a word and the words are added, so the fingerprint
                // counts how many of a class are linearized, not which
                zobrist[k] = interchangeable[k] == 0 ? words.nextLong() : classWord[interchangeable[k]];
            }
            long setHash = 0;
            Fingerprints seen = new Fingerprints();
            String value = null;
            List<Frame> stack = new ArrayList<>();
            stack.add(new Frame(candidates(linearized), -1, null));
            int remaining = mandatory;
            long configurations = 0;
            int deepest = 0;
            BitSet deepestSet = new BitSet();
            String deepestValue = null;
            while (true) {
                if (remaining == 0) {
                    return new Result(true, false, configurations, null);
                }
                if (stack.isEmpty()) {
                    return new Result(false, false, configurations, explain(deepestSet, deepestValue));
                }
                Frame top = stack.get(stack.size() - 1);
                if (top.next == top.candidates.length) {
                    stack.remove(stack.size() - 1);
                    if (top.entered >= 0) {
                        linearized.clear(top.entered);
                        setHash -= zobrist[top.entered];
                        value = top.before;
                        if (ops[top.entered].outcome() == Op.Outcome.OK) {
                            remaining++;
                        }
                    }
                    continue;
                }
                int i = top.candidates[top.next++];
                Object stepped = step(value, ops[i]);
                if (stepped == ILLEGAL) {
                    continue;
                }
                String after = valueOf(stepped);
                long fingerprint = (setHash + zobrist[i]) ^ mix(after == null ? 0x9e3779b97f4a7c15L : after.hashCode() + 1L);
                if (!seen.add(fingerprint)) {
                    continue;
                }
                linearized.set(i);
                setHash += zobrist[i];
                if (++configurations > budget) {
                    return new Result(false, true, configurations, null);
                }
                stack.add(new Frame(candidates(linearized), i, value));
                value = after;
                if (ops[i].outcome() == Op.Outcome.OK) {
                    remaining--;
                }
                int done = mandatory - remaining;
                if (done > deepest) {
                    deepest = done;
                    deepestSet = (BitSet) linearized.clone();
                    deepestValue = value;
                }
            }
        }

        /** Names the acknowledged operations that no linearization of the longest prefix found could take next. */
        private String explain(BitSet linearized, String value) {
            StringBuilder sb = new StringBuilder("after linearizing " + linearized.cardinality()
                    + " operations the register holds " + value + "; none of these can come next:");
            int shown = 0;
            for (int i : candidates(linearized)) {
                if (ops[i].outcome() == Op.Outcome.OK && shown++ < 5) {
                    sb.append("\n  ").append(ops[i]);
                }
            }
            return sb.toString();
        }
    }
}
