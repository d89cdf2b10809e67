package io.metastore.bench.macro.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Draws two PNG charts per workload (median throughput, median p99 latency; for compaction the
 * compaction rate and its duration) and writes {@code index.html}, which shows them and links
 * every cell's JSON and the flame graphs recorded for it.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    /** Writes the charts into {@code dir/charts} and returns their file names, per workload. */
    public static Map<String, List<String>> charts(Path dir, Map<String, List<Aggregate>> byWorkload) throws IOException {
        Path charts = Files.createDirectories(dir.resolve("charts"));
        Map<String, List<String>> files = new java.util.LinkedHashMap<>();
        for (var e : byWorkload.entrySet()) {
            String w = e.getKey();
            boolean compaction = e.getValue().get(0).workload().equals("compaction");
            DefaultCategoryDataset tput = new DefaultCategoryDataset();
            DefaultCategoryDataset lat = new DefaultCategoryDataset();
            for (Aggregate a : e.getValue()) {
                tput.addValue(a.throughput(), "median", a.subject());
                lat.addValue(compaction ? a.p50Ms() : a.p99Ms(), compaction ? "compact ms" : "p99 ms", a.subject());
            }
            String t = fileName(w) + "-throughput.png";
            String l = fileName(w) + (compaction ? "-duration.png" : "-p99.png");
            save(bar(w + (compaction ? ": revisions compacted per second" : ": throughput"),
                    compaction ? "revisions/s" : "ops/s", tput), charts.resolve(t));
            save(bar(w + (compaction ? ": physical Compact duration" : ": p99 latency"), "ms", lat), charts.resolve(l));
            files.put(w, List.of("charts/" + t, "charts/" + l));
        }
        return files;
    }

    /** A label as a file name: {@code put-1 (follower)} is {@code put-1-follower}. */
    static String fileName(String label) {
        return label.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("-+$", "");
    }

    private static JFreeChart bar(String title, String axis, DefaultCategoryDataset data) {
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, false, false,
                false);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        chart.getCategoryPlot().setBackgroundPaint(java.awt.Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(java.awt.Color.GRAY);
        ((org.jfree.chart.renderer.category.BarRenderer) chart.getCategoryPlot().getRenderer())
                .setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        chart.getCategoryPlot().getRenderer().setSeriesPaint(0, new java.awt.Color(0x3b, 0x6e, 0xa8));
        return chart;
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 640, 400);
    }

    /**
     * Writes {@code index.html}. {@code profilesLink} is the run's profiles folder relative to
     * {@code dir} (flame graph paths in the cells are relative to it).
     */
    public static void index(Path dir, String title, List<String> preamble, Map<String, List<Aggregate>> byWorkload,
                             Map<String, String> descriptions, Map<String, List<String>> charts,
                             List<CellResult> cells, String profilesLink) throws IOException {
        StringBuilder h = new StringBuilder("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>body{font-family:sans-serif;max-width:1400px;margin:auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
                        + "td:first-child{text-align:left}img{margin:4px}</style></head><body>\n<h1>")
                .append(esc(title)).append("</h1>\n<p><a href=\"summary.md\">summary.md</a> · "
                        + "<a href=\"environment.json\">environment.json</a> · <a href=\"results.csv\">results.csv</a> · "
                        + "<a href=\"results.json\">results.json</a> · <a href=\"breakdown.md\">breakdown.md</a></p>\n<ul>");
        preamble.forEach(l -> h.append("<li>").append(esc(l.replaceFirst("^- ", ""))).append("</li>"));
        h.append("</ul>\n");
        for (var e : byWorkload.entrySet()) {
            String w = e.getKey();
            boolean compaction = e.getValue().get(0).workload().equals("compaction");
            h.append("<h2>").append(esc(w)).append("</h2><p>").append(esc(descriptions.getOrDefault(w, "")))
                    .append("</p>\n");
            for (String c : charts.getOrDefault(w, List.of())) {
                h.append("<img src=\"").append(c).append("\" width=\"640\" height=\"400\">");
            }
            h.append("\n<table><tr><th>subject</th><th>")
                    .append(compaction ? "revisions compacted/s" : "ops/s (median)")
                    .append("</th><th>").append(compaction ? "compact ms" : "p99 ms")
                    .append("</th><th>").append(compaction ? "server CPU ms/compact" : "server CPU µs/op")
                    .append("</th><th>").append(compaction ? "client CPU ms/compact" : "client CPU µs/op")
                    .append("</th><th>flame graphs</th><th>cells</th></tr>\n");
            for (Aggregate a : e.getValue()) {
                h.append("<tr><td>").append(esc(a.subject())).append("</td><td>")
                        .append(SummaryWriter.f(a.throughput())).append("</td><td>")
                        .append(SummaryWriter.f(compaction ? a.p50Ms() : a.p99Ms())).append("</td><td>")
                        .append(SummaryWriter.f(a.serverCpuUsPerOp() / (compaction ? 1000 : 1))).append("</td><td>")
                        .append(SummaryWriter.f(a.clientCpuUsPerOp() / (compaction ? 1000 : 1))).append("</td><td>");
                if (a.cpuProfile() != null) {
                    h.append("<a href=\"").append(profilesLink).append('/').append(a.cpuProfile()).append("\">cpu</a> ");
                }
                if (a.allocProfile() != null) {
                    h.append("<a href=\"").append(profilesLink).append('/').append(a.allocProfile()).append("\">alloc</a>");
                }
                h.append("</td><td>");
                List<String> links = new ArrayList<>();
                for (CellResult c : cells) {
                    if (c.label().equals(w) && c.subject().equals(a.subject())) {
                        links.add("<a href=\"cells/" + c.fileStem() + ".json\">r" + c.repetition() + "</a>");
                    }
                }
                h.append(String.join(" ", links)).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</body></html>\n");
        Files.writeString(dir.resolve("index.html"), h);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
