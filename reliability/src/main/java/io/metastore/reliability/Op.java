package io.metastore.reliability;

/**
 * One client operation on one key, as recorded by the workload: what was asked, when
 * ({@link System#nanoTime()} at invocation and completion), and what came back.
 *
 * <p>Values are strings; the absent key is {@code null}. Every write uses a value no other
 * write uses, so a read names the one write it saw.
 *
 * @param client    the client that ran it (for diagnostics only; the checker uses time alone)
 * @param kind      read, write, compare-and-swap (on the value, or on its mod revision), or delete
 * @param key       the register
 * @param value     WRITE and CAS: the value written
 * @param expected  CAS: the value compared against
 * @param outcome   OK (answered), FAILED (refused: certainly not applied), UNKNOWN (may or may not have applied)
 * @param read      READ: the value seen ({@code null}: absent)
 * @param succeeded CAS: whether the comparison held
 * @param deleted   DELETE: how many keys the delete removed
 * @param revision  the revision in the response header (0 when not OK)
 * @param invoke    nanoTime before the call
 * @param complete  nanoTime after the answer ({@code Long.MAX_VALUE} when UNKNOWN)
 */
public record Op(int client, Kind kind, String key, String value, String expected, Outcome outcome,
                 String read, boolean succeeded, long deleted, long revision, long invoke, long complete) {

    public enum Kind { READ, WRITE, CAS, DELETE }

    public enum Outcome { OK, FAILED, UNKNOWN }

    public static Op read(String key, String seen, long invoke, long complete) {
        return new Op(0, Kind.READ, key, null, null, Outcome.OK, seen, false, 0, 0, invoke, complete);
    }

    public static Op write(String key, String value, long invoke, long complete) {
        return new Op(0, Kind.WRITE, key, value, null, Outcome.OK, null, false, 0, 0, invoke, complete);
    }

    public static Op cas(String key, String expected, String value, boolean succeeded, long invoke, long complete) {
        return new Op(0, Kind.CAS, key, value, expected, Outcome.OK, null, succeeded, 0, 0, invoke, complete);
    }

    public static Op delete(String key, long deleted, long invoke, long complete) {
        return new Op(0, Kind.DELETE, key, null, null, Outcome.OK, null, false, deleted, 0, invoke, complete);
    }

    /** The same operation with an unknown outcome: it may or may not have taken effect. */
    public Op unknown() {
        return new Op(client, kind, key, value, expected, Outcome.UNKNOWN, null, false, 0, 0, invoke, Long.MAX_VALUE);
    }

    /** Whether this operation, acknowledged, created a new revision (so it must be in the store's history). */
    public boolean acknowledgedMutation() {
        return outcome == Outcome.OK && switch (kind) {
            case WRITE -> true;
            case CAS -> succeeded;
            case DELETE -> deleted > 0;
            case READ -> false;
        };
    }

    public boolean mutation() {
        return kind != Kind.READ;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "read -> " + read;
            case WRITE -> "write " + value;
            case CAS -> "cas " + expected + " -> " + value + (outcome == Outcome.OK ? (succeeded ? " ok" : " fail") : "");
            case DELETE -> "delete" + (outcome == Outcome.OK ? " -> " + deleted : "");
        };
        return "c" + client + " " + key + " " + what + " [" + outcome + " " + invoke + ".."
                + (complete == Long.MAX_VALUE ? "?" : String.valueOf(complete)) + "]";
    }
}
