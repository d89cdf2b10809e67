package io.metastore.bench.macro.report;

import io.metastore.bench.macro.load.Workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The repetitions of one subject under one workload label (the workload, and for a cluster
 * where its load went), reduced to medians and spread (min..max over repetitions); max latency
 * is the worst over all repetitions. CPU per request is the median over the repetitions that
 * measured it, NaN where none did.
 */
public record Aggregate(String workload, String label, String subject, String kind, String config, String storage,
                        int nodes, int runs,
                        int failed, double throughput, double throughputMin, double throughputMax, double p50Ms,
                        double p99Ms, double maxMs, long errors, double serverCpuUsPerOp, double clientCpuUsPerOp,
                        String cpuProfile, String allocProfile, Map<String, Double> extra) {

    public double spreadPercent() {
        return throughput == 0 ? 0 : 100.0 * (throughputMax - throughputMin) / throughput;
    }

    /**
     * Groups cells by workload label, then subject, keeping the order in which they first ran;
     * idle cells, which have no requests to count, are left to {@link IdleWriter}.
     */
    public static Map<String, List<Aggregate>> byWorkload(List<CellResult> cells) {
        Map<String, Map<String, List<CellResult>>> groups = new LinkedHashMap<>();
        for (CellResult c : cells) {
            if (c.workload().equals(Workload.IDLE)) {
                continue;
            }
            groups.computeIfAbsent(c.label(), w -> new LinkedHashMap<>())
                    .computeIfAbsent(c.subject(), s -> new ArrayList<>()).add(c);
        }
        Map<String, List<Aggregate>> out = new LinkedHashMap<>();
        groups.forEach((w, bySubject) -> {
            List<Aggregate> list = new ArrayList<>();
            bySubject.forEach((s, runs) -> list.add(of(runs)));
            out.put(w, list);
        });
        return out;
    }

    static Aggregate of(List<CellResult> runs) {
        CellResult first = runs.get(0);
        List<CellResult> ok = runs.stream().filter(CellResult::ok).toList();
        String cpu = runs.stream().map(CellResult::cpuProfile).filter(p -> p != null).findFirst().orElse(null);
        String alloc = runs.stream().map(CellResult::allocProfile).filter(p -> p != null).findFirst().orElse(null);
        Map<String, Double> extra = new LinkedHashMap<>();
        if (!ok.isEmpty()) {
            for (Map.Entry<String, Object> e : ok.get(0).measurement().extra().entrySet()) {
                if (e.getValue() instanceof Number) { // figures, not the time line
                    String k = e.getKey();
                    extra.put(k, median(ok, c -> ((Number) c.measurement().extra().get(k)).doubleValue()));
                }
            }
        }
        List<CellResult> server = ok.stream().filter(c -> c.cpu() != null && c.cpu().serverUsPerOp() != null).toList();
        List<CellResult> client = ok.stream().filter(c -> c.cpu() != null && c.cpu().clientUsPerOp() != null).toList();
        return new Aggregate(first.workload(), first.label(), first.subject(), first.kind(), first.config(),
                first.storage(), first.nodes(),
                ok.size(), runs.size() - ok.size(),
                median(ok, c -> c.measurement().throughput()),
                ok.stream().mapToDouble(c -> c.measurement().throughput()).min().orElse(0),
                ok.stream().mapToDouble(c -> c.measurement().throughput()).max().orElse(0),
                median(ok, c -> c.measurement().p50Ms()),
                median(ok, c -> c.measurement().p99Ms()),
                ok.stream().mapToDouble(c -> c.measurement().maxMs()).max().orElse(0),
                ok.stream().mapToLong(c -> c.measurement().errors()).sum(),
                server.isEmpty() ? Double.NaN : median(server, c -> c.cpu().serverUsPerOp()),
                client.isEmpty() ? Double.NaN : median(client, c -> c.cpu().clientUsPerOp()), cpu, alloc, extra);
    }

    static double median(List<CellResult> cells, ToDoubleFunction<CellResult> f) {
        return median(cells.stream().map(f::applyAsDouble).toList());
    }

    /** The median of {@code values}, 0 when there are none. */
    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The median of {@code values} in {@code format}, or {@code -} when there are none. */
    static String median(List<Double> values, String format) {
        return values.isEmpty() ? "-" : String.format(java.util.Locale.ROOT, format, median(values));
    }
}
