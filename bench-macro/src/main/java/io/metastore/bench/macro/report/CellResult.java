package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Measurement;
import io.metastore.bench.macro.probe.CpuUse;
import io.metastore.bench.macro.probe.StageRow;

import java.util.List;

/**
 * One cell: a subject under a workload in one repetition, with its load sent to {@code loadTo}
 * ({@code all}, {@code leader} or {@code follower}; always {@code all} for a single node or an
 * external target). {@code label} is the workload as the tables show it: its name, and for a
 * cluster the load's destination in parentheses ({@code put-1 (follower)}), so cells sent to
 * different members never share a table row. A failed cell has a {@code failure} saying why, and
 * a {@code measurement} only when the load ran but no request succeeded; it counts as failed in
 * the tables, never as a figure. Profile paths are relative to the run's profiles folder, or
 * null. {@code loadAverage} is the machine's 1/5/15-minute load when the cell started (the
 * machine may be shared; this says how busy it was). {@code nodes} is the number of members the
 * subject ran as (0 for an external target, whose size is unknown). {@code members} says which
 * member had which role and how many of the load's connections; {@code cpu} and
 * {@code breakdown} are what the measured window cost (null / empty where not measured);
 * {@code readyMs} the time from the first member's launch until every member answered (0 when not started here).
 */
public record CellResult(int index, int repetition, String subject, String kind, String config, String storage,
                         int nodes, String workload, String label, String loadTo, String workloadDescription,
                         int clients, int connections, List<CellMember> members, Measurement measurement,
                         CpuUse cpu, List<StageRow> breakdown, String failure, String cpuProfile, String allocProfile,
                         String startupLine, String startedAt, String loadAverage, long readyMs) {

    public CellResult {
        members = members == null ? List.of() : List.copyOf(members);
        breakdown = breakdown == null ? List.of() : List.copyOf(breakdown);
    }

    /** The label of a cell of {@code workload} on {@code nodes} members with its load sent to {@code loadTo}. */
    public static String label(String workload, int nodes, String loadTo) {
        return nodes > 1 ? workload + " (" + loadTo + ")" : workload;
    }

    public String fileStem() {
        return subject + "-" + workload + (nodes > 1 ? "-" + loadTo : "") + "-r" + repetition;
    }

    public boolean ok() {
        return measurement != null && failure == null;
    }

    /** One member of the cell: its name, its role when the cell started, its client address and the load's connections to it. */
    public record CellMember(String name, String role, String address, int connections) {
    }
}
