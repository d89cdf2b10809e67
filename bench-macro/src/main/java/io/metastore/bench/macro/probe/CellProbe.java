package io.metastore.bench.macro.probe;

import io.metastore.bench.macro.load.WindowProbe;
import io.metastore.bench.macro.subject.Member;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a cell's members around its measured window: every member's {@code /metrics} (plain
 * HTTP GET on its client port, all members at once) just before the window and just after it,
 * and the CPU ticks of every member's process and of this JVM at the window's edges. The scrapes
 * lie outside the CPU readings (scrape, read CPU | window | read CPU, scrape), so serving them is
 * not counted; the histogram deltas therefore span the window plus a scrape's few milliseconds.
 *
 * <p>A member that has no {@code /metrics}, or lacks a family, simply contributes no rows.
 * Threading: called on the workload's thread only.
 */
public final class CellProbe implements WindowProbe {
    static final String WRITE = "metastore_write_stage_duration_seconds";
    static final String READ = "metastore_read_stage_duration_seconds";
    static final String FSYNC = "etcd_disk_wal_fsync_duration_seconds";
    static final List<String> FAMILIES = List.of(WRITE, READ, FSYNC);
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);

    private final List<Member> members;
    private final ProcCpu cpu;
    private final HttpClient http;
    private final boolean scrape;
    private List<String> metricsBefore;
    private List<String> metricsAfter;
    private long[] ticksBefore;
    private long[] ticksAfter;

    /** {@code scrape}: whether to read {@code /metrics} (a managed MetaStore or etcd cell) or only CPU. */
    public CellProbe(List<Member> members, ProcCpu cpu, HttpClient http, boolean scrape) {
        this.members = List.copyOf(members);
        this.cpu = cpu;
        this.http = http;
        this.scrape = scrape;
    }

    @Override
    public void opening() {
        metricsBefore = scrape();
        ticksBefore = ticks();
    }

    @Override
    public void closed() {
        ticksAfter = ticks();
        metricsAfter = scrape();
    }

    /** The CPU figures of the window that held {@code ops} successful requests; null before it closed. */
    public CpuUse cpu(long ops) {
        if (ticksBefore == null || ticksAfter == null) {
            return null;
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> perOp = new LinkedHashMap<>();
        double serverSeconds = 0;
        boolean allMembers = true;
        for (int i = 0; i < members.size(); i++) {
            if (ticksBefore[i] < 0 || ticksAfter[i] < 0) {
                allMembers = false;
                continue;
            }
            double s = cpu.seconds(ticksAfter[i] - ticksBefore[i]);
            seconds.put(members.get(i).name(), s);
            serverSeconds += s;
            if (ops > 0) {
                perOp.put(members.get(i).name(), s * 1e6 / ops);
            }
        }
        int self = members.size();
        Double client = ticksBefore[self] < 0 || ticksAfter[self] < 0 ? null
                : cpu.seconds(ticksAfter[self] - ticksBefore[self]);
        return new CpuUse(cpu.ticksPerSecond(), ops, seconds, client,
                allMembers && ops > 0 ? serverSeconds * 1e6 / ops : null, perOp,
                client != null && ops > 0 ? client * 1e6 / ops : null);
    }

    /** Every series of the stage and fsync histograms that saw observations in the window, member by member. */
    public List<StageRow> breakdown() {
        List<StageRow> rows = new ArrayList<>();
        if (metricsBefore == null || metricsAfter == null) {
            return rows;
        }
        for (int i = 0; i < members.size(); i++) {
            rows.addAll(breakdown(members.get(i), metricsBefore.get(i), metricsAfter.get(i)));
        }
        return rows;
    }

    static List<StageRow> breakdown(Member member, String before, String after) {
        List<StageRow> rows = new ArrayList<>();
        if (after.isEmpty()) {
            return rows;
        }
        var was = PrometheusText.histograms(before, FAMILIES);
        var now = PrometheusText.histograms(after, FAMILIES);
        for (String family : FAMILIES) {
            Map<Map<String, String>, Histogram> prior = was.getOrDefault(family, Map.of());
            now.getOrDefault(family, Map.of()).forEach((labels, h) -> {
                Histogram d = h.minus(prior.getOrDefault(labels, Histogram.EMPTY));
                if (d.count() <= 0) {
                    return;
                }
                String metric = family.equals(WRITE) ? "write" : family.equals(READ) ? "read" : "wal_fsync";
                rows.add(new StageRow(member.name(), member.role(), metric, labels.getOrDefault("role", "-"),
                        labels.getOrDefault("stage", family.equals(FSYNC) ? "fsync" : "-"), Math.round(d.count()),
                        d.mean() * 1e3, d.quantile(0.50) * 1e3, d.quantile(0.99) * 1e3));
            });
        }
        return rows;
    }

    /** Each member's {@code /metrics} text, "" for one that did not answer it in time. */
    private List<String> scrape() {
        List<CompletableFuture<String>> pending = new ArrayList<>();
        for (Member m : members) {
            if (!scrape) {
                pending.add(CompletableFuture.completedFuture(""));
                continue;
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + m.address() + "/metrics"))
                    .timeout(SCRAPE_TIMEOUT).GET().build();
            pending.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() == 200 ? r.body() : "")
                    .exceptionally(e -> ""));
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    /** Ticks of each member's process, then of this JVM; -1 where it could not be read. */
    private long[] ticks() {
        long[] t = new long[members.size() + 1];
        for (int i = 0; i < members.size(); i++) {
            OptionalLong pid = members.get(i).pid();
            t[i] = pid.isPresent() ? cpu.ticks(pid.getAsLong()).orElse(-1) : -1;
        }
        t[members.size()] = cpu.selfTicks().orElse(-1);
        return t;
    }

    /** The client for scraping: HTTP/1.1 (the client port multiplexes HTTP/1.1 and gRPC), short connect timeout. */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(SCRAPE_TIMEOUT).build();
    }
}
