package io.metastore.reliability;

/**
 * One injected fault and when it happened (nanoTime), with the longest stretch without an
 * acknowledged write measured in its window (from its start to the next fault's start).
 *
 * @param kind        what was done
 * @param member      the member it hit (1-based; 0 for all)
 * @param start       nanoTime when the fault began
 * @param healed      nanoTime when the harness undid it (restart issued, SIGCONT sent)
 */
public record Fault(Kind kind, int member, long start, long healed) {

    public enum Kind {
        KILL_LEADER("kill -9 the leader, restart"),
        KILL_FOLLOWER_WIPE("kill -9 a follower, wipe its data dir, restart (rejoins through a snapshot)"),
        PAUSE("SIGSTOP a member for a few seconds, then SIGCONT"),
        RESTART_ALL("kill -9 every member at once, restart all");

        public final String description;

        Kind(String description) {
            this.description = description;
        }
    }
}
