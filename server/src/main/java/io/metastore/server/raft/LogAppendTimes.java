package io.metastore.server.raft;

/**
 * When each recent entry reached this member's Raft log storage (written, and synced with
 * {@code --raft-sync}), for the latency breakdown: the state machine looks an entry up when it
 * applies it, to split the leader's wait for its commit into the local append and the wait for
 * the quorum beyond it.
 *
 * <p>A ring of the last {@value #SIZE} entries, written by jraft's log thread and read by the
 * state machine's thread without locks: each slot holds an entry's index and its time; the
 * writer clears the index before it changes the time, and a reader that does not find the
 * same index before and after reading the time (overwritten, or being written) gets "unknown"
 * ({@code 0}), which only costs the breakdown that one sample.
 */
final class LogAppendTimes {
    private static final int SIZE = 1 << 14;
    private final java.util.concurrent.atomic.AtomicLongArray indexes = new java.util.concurrent.atomic.AtomicLongArray(SIZE);
    private final java.util.concurrent.atomic.AtomicLongArray nanos = new java.util.concurrent.atomic.AtomicLongArray(SIZE);

    /** Log thread: entries {@code first..last} were written at {@code when} ({@link System#nanoTime}). */
    void written(long first, long last, long when) {
        for (long i = Math.max(first, last - SIZE + 1); i <= last; i++) {
            int slot = (int) (i & (SIZE - 1));
            indexes.set(slot, 0);
            nanos.set(slot, when);
            indexes.set(slot, i);
        }
    }

    /** When entry {@code index} was written here, or 0 when no longer (or never) known. */
    long writtenAt(long index) {
        int slot = (int) (index & (SIZE - 1));
        if (indexes.get(slot) != index) {
            return 0;
        }
        long when = nanos.get(slot);
        return indexes.get(slot) == index ? when : 0;
    }
}
