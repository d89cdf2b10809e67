package io.metastore.server.raft;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * Lets a request wait until this member has applied a given log index. A follower uses it
 * after a forwarded write: the leader answers once it applied the entry, and the follower
 * answers its client only once it applied it too, so the client then reads its own write on
 * this member (as etcd's followers, which wait for their own apply, guarantee).
 *
 * <p>Threading: {@link #applied} runs on the apply thread, and so do the continuations of the
 * futures it completes (a follower's answer to its client: cheap, never blocking, as the
 * leader's answers to its own proposals, which also run there); {@link #await} on any thread.
 */
public final class AppliedIndex {
    private final Map<Long, List<CompletableFuture<Void>>> waiting = new ConcurrentSkipListMap<>();
    private volatile long applied;
    private volatile Position position = new Position(0, 0);

    /**
     * The last applied entry: its index and the term it was written in ({@code term} 0 when
     * unknown, e.g. for what was applied before a restart). One object, so the two always
     * belong to the same entry.
     */
    public record Position(long index, long term) {
    }

    /** Apply thread: everything up to {@code index} is applied; the term of that entry is not known. */
    public void applied(long index) {
        applied(index, 0);
    }

    /** Apply thread: everything up to {@code index}, an entry of {@code term}, is applied. */
    public void applied(long index, long term) {
        if (index != position.index()) {
            position = new Position(index, term);
        }
        applied = index;
        var head = ((ConcurrentSkipListMap<Long, List<CompletableFuture<Void>>>) waiting).headMap(index, true);
        while (!head.isEmpty()) {
            var e = head.pollFirstEntry();
            if (e == null) {
                break;
            }
            // on this thread, as the leader completes its own proposals: completeAsync would use
            // CompletableFuture's default pool, which on a machine of two cores is a new thread per task
            e.getValue().forEach(f -> f.complete(null));
        }
    }

    /** Completes once {@code index} is applied here. */
    public CompletableFuture<Void> await(long index) {
        if (index <= applied) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiting.computeIfAbsent(index, k -> new CopyOnWriteArrayList<>()).add(f);
        if (index <= applied) {
            // applied between the check and the registration
            f.complete(null);
        }
        return f;
    }

    public long current() {
        return applied;
    }

    /** The last applied entry's index and term. */
    public Position position() {
        return position;
    }
}
