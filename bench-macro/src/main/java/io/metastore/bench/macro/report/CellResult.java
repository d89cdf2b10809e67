package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Measurement;

/**
 * One cell: a subject under a workload in one repetition. A failed cell has a {@code failure}
 * saying why, and a {@code measurement} only when the load ran but no request succeeded; it
 * counts as failed in the tables, never as a figure. Profile paths are relative to the run's
 * profiles folder, or null. {@code loadAverage} is the machine's 1/5/15-minute load when the
 * cell started (the machine may be shared; this says how busy it was). {@code nodes} is the
 * number of members the subject ran as (0 for an external target, whose size is unknown).
 */
public record CellResult(int index, int repetition, String subject, String kind, String config, String storage,
                         int nodes, String workload, String workloadDescription, int clients, int connections,
                         Measurement measurement, String failure, String cpuProfile, String allocProfile,
                         String startupLine, String startedAt, String loadAverage) {

    public String fileStem() {
        return subject + "-" + workload + "-r" + repetition;
    }

    public boolean ok() {
        return measurement != null && failure == null;
    }
}
