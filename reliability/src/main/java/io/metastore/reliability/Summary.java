package io.metastore.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Renders the reports of a run as Markdown. */
public final class Summary {
    private Summary() {
    }

    public static String faultSection(FaultScenario.Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Fault injection: three server processes, concurrent clients\n\n");
        sb.append("| figure | value |\n| --- | --- |\n");
        row(sb, "duration", r.durationMillis() / 1000 + " s");
        row(sb, "faults injected", String.valueOf(r.faults().size()));
        row(sb, "operations attempted", String.valueOf(r.attempted()));
        row(sb, "acknowledged (answered)", String.valueOf(r.acknowledged()));
        row(sb, "acknowledged writes that created a revision", String.valueOf(r.acknowledgedWrites()));
        row(sb, "refused (certainly not applied)", String.valueOf(r.failed()));
        row(sb, "unknown outcome (timeout, connection lost)", String.valueOf(r.unknown()));
        row(sb, "acknowledged writes lost", String.valueOf(r.lost()));
        row(sb, "final revision (all members)", String.valueOf(r.finalRevision()));
        row(sb, "HashKV (all members)", r.hash());
        row(sb, "linearizability checker", r.verdict().describe());
        row(sb, "watch events recorded (all members; identical histories required)", r.watchEvents()
                + " (" + r.watchReconnects() + " stream reconnects)");
        row(sb, "leases", "one renewed throughout (longest gap between renewals " + r.longestRenewalGapMillis()
                + " ms, TTL " + LeaseProbe.KEPT_TTL + " s) still alive; " + r.shortLeases() + " short ones (2 s, never renewed) all expired with their keys");
        row(sb, "longest unavailability after a fault", r.longestUnavailableMillis() + " ms");
        row(sb, "verdict", r.passed() ? "PASS" : "FAIL");
        sb.append("\n### Faults in order\n\n| # | fault | member | unavailable (ms) |\n| --- | --- | --- | --- |\n");
        long t0 = r.faults().isEmpty() ? 0 : r.faults().get(0).fault().start();
        int i = 1;
        for (FaultScenario.FaultOutcome f : r.faults()) {
            sb.append("| ").append(i++).append(" (+").append(TimeUnit.NANOSECONDS.toSeconds(f.fault().start() - t0))
                    .append(" s) | ").append(f.fault().kind().description).append(" | ")
                    .append(f.fault().member() == 0 ? "all" : String.valueOf(f.fault().member())).append(" | ")
                    .append(f.unavailableMillis()).append(" |\n");
        }
        Map<Fault.Kind, long[]> byKind = new TreeMap<>();
        for (FaultScenario.FaultOutcome f : r.faults()) {
            long[] a = byKind.computeIfAbsent(f.fault().kind(), k -> new long[2]);
            a[0]++;
            a[1] = Math.max(a[1], f.unavailableMillis());
        }
        sb.append("\n| fault kind | count | longest unavailability (ms) |\n| --- | --- | --- |\n");
        byKind.forEach((k, a) -> sb.append("| ").append(k).append(" | ").append(a[0]).append(" | ").append(a[1]).append(" |\n"));
        problems(sb, r.problems());
        return sb.toString();
    }

    public static String crashSection(List<CrashConsistency.Report> reports) {
        StringBuilder sb = new StringBuilder("## Crash consistency: kill -9 of one member during heavy writes\n\n");
        sb.append("| storage | codec | kills | puts attempted | acknowledged | lost | keys present | final revision | verdict |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (CrashConsistency.Report r : reports) {
            sb.append("| ").append(r.storage()).append(" | ").append(r.codec()).append(" | ").append(r.kills())
                    .append(" | ").append(r.attempted()).append(" | ").append(r.acknowledged()).append(" | ")
                    .append(r.lost()).append(" | ").append(r.present()).append(" | ").append(r.revision())
                    .append(" | ").append(r.passed() ? "PASS" : "FAIL").append(" |\n");
        }
        reports.forEach(r -> problems(sb, r.problems()));
        return sb.toString();
    }

    public static String boundsSection(ResourceBounds.Report r) {
        ResourceBounds.Plan p = r.plan();
        StringBuilder sb = new StringBuilder("## Bounded memory: one member with its heap capped\n\n");
        sb.append("`-Xmx").append(p.heapMb()).append("m`, storage ").append(p.storage())
                .append("; heap in use is measured after a full collection (`jcmd GC.run`, then `GC.heap_info`).\n\n");
        sb.append("| phase | what | took (ms) | heap in use after (MiB) |\n| --- | --- | --- | --- |\n");
        for (ResourceBounds.Phase ph : r.phases()) {
            sb.append("| ").append(ph.name()).append(" | ").append(ph.detail()).append(" | ").append(ph.millis())
                    .append(" | ").append(ph.heapAfter() < 0 ? "?" : String.format("%.1f", ph.heapAfter() / 1048576.0))
                    .append(" |\n");
        }
        sb.append("\n| verdict | ").append(r.passed() ? "PASS" : "FAIL").append(" |\n| --- | --- |\n");
        problems(sb, r.problems());
        return sb.toString();
    }

    public static String fuzzSection(GrpcFuzzer.Report r) {
        StringBuilder sb = new StringBuilder("## gRPC fuzz: mutated KV requests to one member\n\n");
        sb.append("| figure | value |\n| --- | --- |\n");
        row(sb, "requests", String.valueOf(r.requests()));
        row(sb, "answers by status code", r.statusCodes().toString());
        row(sb, "calls without an answer before the deadline", String.valueOf(r.hangs()));
        row(sb, "refused requests that moved the revision", String.valueOf(r.refusedThatChangedRevision()));
        row(sb, "server alive and serving at the end", String.valueOf(r.aliveAtEnd()));
        row(sb, "verdict", r.passed() ? "PASS" : "FAIL");
        if (!r.notes().isEmpty()) {
            sb.append("\nINTERNAL or UNKNOWN answers (an error the server did not map to etcd's table):\n\n");
            r.notes().forEach(n -> sb.append("- `").append(n.replace('`', '\'')).append("`\n"));
        }
        problems(sb, r.problems());
        return sb.toString();
    }

    public static String gatewayFuzzSection(GatewayFuzzer.Report r) {
        StringBuilder sb = new StringBuilder("## Gateway fuzz: mutated JSON requests to one member's HTTP gateway\n\n");
        sb.append("| figure | value |\n| --- | --- |\n");
        row(sb, "requests", String.valueOf(r.requests()));
        row(sb, "answers by HTTP status", r.statuses().toString());
        row(sb, "requests without an answer before the deadline", String.valueOf(r.hangs()));
        row(sb, "refused requests that moved the revision", String.valueOf(r.refusedThatChangedRevision()));
        row(sb, "server alive and serving at the end", String.valueOf(r.aliveAtEnd()));
        row(sb, "verdict", r.passed() ? "PASS" : "FAIL");
        if (!r.notes().isEmpty()) {
            sb.append("\n500 answers allowed (a stream whose first object cannot be read, as grpc-gateway answers):\n\n");
            r.notes().forEach(n -> sb.append("- `").append(n.replace('`', '\'')).append("`\n"));
        }
        problems(sb, r.problems());
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|").replace("\n", "<br>")).append(" |\n");
    }

    private static void problems(StringBuilder sb, List<String> problems) {
        if (!problems.isEmpty()) {
            sb.append("\nProblems:\n\n");
            problems.stream().limit(20).forEach(p -> sb.append("- ").append(p.replace("\n", " ")).append('\n'));
        }
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
