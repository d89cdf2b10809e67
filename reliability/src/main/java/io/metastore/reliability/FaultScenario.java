package io.metastore.reliability;

import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.RangeResponse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A three-member cluster of real processes under concurrent clients while faults are injected one
 * after another, then the checks: every member converges to the same revision and HashKV, every
 * acknowledged write is in every member's history at its revision, no two acknowledged writes share
 * a revision, the revision counts no more writes than were attempted, the history is
 * linearizable, a watcher kept on each member through the faults (reconnecting from the
 * revision after its last event, as clientv3 does) saw exactly the store's history, a lease
 * renewed throughout is still alive and leases left to expire did expire on every member.
 */
public final class FaultScenario {

    /**
     * @param faults      injected in this order
     * @param quietMillis load without faults before the first and after each fault
     * @param clients     concurrent clients
     * @param keys        registers
     * @param serverArgs  options for every member
     * @param seed        for the clients' and the nemesis' choices
     */
    public record Plan(List<Fault.Kind> faults, long quietMillis, int clients, int keys, List<String> serverArgs, long seed) {
    }

    /** One fault and the longest time without an acknowledged write in its window. */
    public record FaultOutcome(Fault fault, long unavailableMillis) {
    }

    public record Report(List<FaultOutcome> faults, long attempted, long acknowledged, long acknowledgedWrites,
                         long failed, long unknown, long lost, long finalRevision, String hash,
                         LinearizabilityChecker.Verdict verdict, long watchEvents, int watchReconnects,
                         int shortLeases, long longestRenewalGapMillis, List<String> problems, long durationMillis) {
        public boolean passed() {
            return lost == 0 && problems.isEmpty() && verdict.linearizable();
        }

        public long longestUnavailableMillis() {
            return faults.stream().mapToLong(FaultOutcome::unavailableMillis).max().orElse(0);
        }
    }

    private FaultScenario() {
    }

    public static Report run(Plan plan, Path dir) {
        long began = System.nanoTime();
        History history = new History();
        List<Fault> injected = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (ProcessCluster cluster = new ProcessCluster(3, dir, plan.serverArgs())) {
            cluster.startAll();
            cluster.awaitLeader(180_000);
            for (int i = 0; i < cluster.size(); i++) {
                CrashConsistency.awaitServing(cluster.channel(i));
            }
            Nemesis nemesis = new Nemesis(cluster, new Random(plan.seed()));
            List<WatchRecorder> watchers = new ArrayList<>();
            LeaseProbe leases = new LeaseProbe(cluster, plan.seed());
            try {
                for (int i = 0; i < cluster.size(); i++) {
                    watchers.add(new WatchRecorder(cluster, i, "reg/"));
                    watchers.get(i).start();
                }
                long stopped;
                try (Workload workload = new Workload(cluster, history, plan.keys(), plan.clients(), 3000)) {
                    leases.start();
                    workload.start(plan.seed());
                    ProcessCluster.sleep(plan.quietMillis());
                    for (Fault.Kind kind : plan.faults()) {
                        injected.add(nemesis.inject(kind));
                        ProcessCluster.sleep(plan.quietMillis());
                    }
                    stopped = System.nanoTime();
                    leases.stopGranting();
                }
                long revision = cluster.awaitConverged(180_000);
                String hash = compareHashes(cluster, revision, problems);
                List<Op> ops = history.snapshot();
                long lost = verifyAcknowledgedWrites(cluster, ops, problems);
                WatchRecorder.check(watchers, ops, revision, problems);
                checkRevisions(ops, watchers.get(0).distinctRevisions(), problems);
                leases.check(30_000, problems);
                long watchEvents = watchers.stream().mapToLong(w -> w.events().size()).sum();
                int reconnects = watchers.stream().mapToInt(WatchRecorder::reconnects).sum();
                List<Op> withFinal = new ArrayList<>(ops);
                withFinal.addAll(finalReads(cluster, plan.keys()));
                LinearizabilityChecker.Verdict verdict = new LinearizabilityChecker(2_000_000).check(withFinal);
                if (!verdict.linearizable()) {
                    keepHistory(withFinal, dir.resolve("history.txt"), problems);
                }
                return new Report(unavailability(injected, ops, stopped), ops.size(),
                        ops.stream().filter(o -> o.outcome() == Op.Outcome.OK).count(),
                        ops.stream().filter(Op::acknowledgedMutation).count(),
                        history.count(Op.Outcome.FAILED), history.count(Op.Outcome.UNKNOWN), lost, revision, hash,
                        verdict, watchEvents, reconnects, leases.shortGranted(), leases.longestRenewalGapMillis(),
                        problems, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            } finally {
                leases.close();
                watchers.forEach(WatchRecorder::close);
            }
        }
    }

    /** Keeps the history of a run the checker did not accept (one operation a line), for a closer look. */
    private static void keepHistory(List<Op> ops, Path file, List<String> problems) {
        StringBuilder sb = new StringBuilder();
        ops.forEach(o -> sb.append(o).append('\n'));
        Summary.write(file, sb.toString());
        String keep = System.getProperty("reliability.keepHistory");
        if (keep != null) {
            Summary.write(Path.of(keep), sb.toString());
            problems.add("history kept in " + keep);
        }
    }

    private static String compareHashes(ProcessCluster cluster, long revision, List<String> problems) {
        TreeSet<String> distinct = new TreeSet<>();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < cluster.size(); i++) {
            HashKVResponse h = cluster.hashKV(i, revision);
            String s = Integer.toHexString(h.getHash()) + "@compact" + h.getCompactRevision();
            distinct.add(s);
            all.append(" m").append(i + 1).append('=').append(s);
        }
        if (distinct.size() != 1) {
            problems.add("HashKV differs at revision " + revision + ":" + all);
        }
        return distinct.first();
    }

    /**
     * Every acknowledged put or successful CAS must be the key's value at its revision, with that
     * mod revision, on every member; every acknowledged delete that removed the key must leave it
     * absent at its revision. Returns how many acknowledged writes some member lacks.
     */
    static long verifyAcknowledgedWrites(ProcessCluster cluster, List<Op> ops, List<String> problems) {
        long lost = 0;
        Map<Long, Op> byRevision = new HashMap<>();
        for (Op op : ops) {
            if (!op.acknowledgedMutation()) {
                continue;
            }
            Op other = byRevision.put(op.revision(), op);
            if (other != null) {
                problems.add("two acknowledged writes at revision " + op.revision() + ": " + other + " and " + op);
            }
            for (int i = 0; i < cluster.size(); i++) {
                RangeResponse r = cluster.localRead(i, op.key(), op.revision());
                boolean present = op.kind() == Op.Kind.DELETE
                        ? r.getKvsCount() == 0
                        : r.getKvsCount() == 1 && r.getKvs(0).getValue().toStringUtf8().equals(op.value())
                          && r.getKvs(0).getModRevision() == op.revision();
                if (!present) {
                    lost++;
                    if (problems.size() < 20) {
                        problems.add("member " + (i + 1) + " lacks acknowledged " + op + " (has " + r.getKvsList() + ")");
                    }
                    break;
                }
            }
        }
        return lost;
    }

    /**
     * Each applied write of a register is one revision of the registers' history (as the watcher
     * recorded it): at least one per acknowledged write, at most one per acknowledged or unknown
     * write, so nothing was applied twice. (Leases write other keys, so the store's revision
     * itself counts more.)
     */
    private static void checkRevisions(List<Op> ops, long registerRevisions, List<String> problems) {
        long acked = ops.stream().filter(Op::acknowledgedMutation).count();
        long maybe = ops.stream().filter(o -> o.mutation() && o.outcome() == Op.Outcome.UNKNOWN).count();
        if (registerRevisions < acked || registerRevisions > acked + maybe) {
            problems.add(registerRevisions + " register revisions outside [" + acked + " acknowledged, " + (acked + maybe)
                    + " acknowledged or unknown]");
        }
    }

    private static List<Op> finalReads(ProcessCluster cluster, int keys) {
        List<Op> out = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = "reg/" + k;
            for (int i = 0; i < cluster.size(); i++) {
                long t = System.nanoTime();
                RangeResponse r = cluster.localRead(i, key, 0);
                String seen = r.getKvsCount() == 0 ? null : r.getKvs(0).getValue().toStringUtf8();
                out.add(new Op(-1 - i, Op.Kind.READ, key, null, null, Op.Outcome.OK, seen, false, 0,
                        r.getHeader().getRevision(), t, System.nanoTime()));
            }
        }
        return out;
    }

    /** For each fault, the longest stretch inside [its start, the next fault's start) with no acknowledged write. */
    static List<FaultOutcome> unavailability(List<Fault> faults, List<Op> ops, long end) {
        long[] acks = ops.stream().filter(o -> o.outcome() == Op.Outcome.OK && o.mutation())
                .mapToLong(Op::complete).sorted().toArray();
        List<FaultOutcome> out = new ArrayList<>();
        for (int f = 0; f < faults.size(); f++) {
            long from = faults.get(f).start();
            long to = f + 1 < faults.size() ? faults.get(f + 1).start() : end;
            long prev = from;
            long longest = 0;
            for (long a : acks) {
                if (a < from) {
                    continue;
                }
                if (a > to) {
                    break;
                }
                longest = Math.max(longest, a - prev);
                prev = a;
            }
            longest = Math.max(longest, to - prev);
            out.add(new FaultOutcome(faults.get(f), TimeUnit.NANOSECONDS.toMillis(longest)));
        }
        return out;
    }
}
