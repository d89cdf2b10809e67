package io.metastore.bench.macro.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the raw numbers of a run: per cell {@code cells/<subject>-<workload>[-<load to>]-r<rep>.{json,csv}},
 * all cells in {@code results.json} and {@code results.csv}, and {@code environment.json}. The
 * CSV columns added after the first release come last, so older columns keep their positions;
 * {@code member_cpu_us_per_op} is {@code m1=12.3;m2=4.5;...}.
 */
public final class RunWriter {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    static final String CSV_HEADER = "index,repetition,subject,kind,config,storage,nodes,workload,clients,connections,"
            + "ops,errors,seconds,throughput,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,mean_ms,failure,cpu_profile,alloc_profile,"
            + "label,load_to,server_cpu_us_per_op,client_cpu_us_per_op,member_cpu_us_per_op";

    private final Path dir;

    public RunWriter(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("cells"));
    }

    public Path dir() {
        return dir;
    }

    public void writeCell(CellResult cell) throws IOException {
        Files.writeString(dir.resolve("cells").resolve(cell.fileStem() + ".json"), GSON.toJson(cell));
        Files.writeString(dir.resolve("cells").resolve(cell.fileStem() + ".csv"),
                CSV_HEADER + "\n" + csvRow(cell) + "\n");
    }

    public void writeAll(List<CellResult> cells, Map<String, Object> environment) throws IOException {
        Files.writeString(dir.resolve("results.json"), GSON.toJson(cells));
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        cells.forEach(c -> csv.append(csvRow(c)).append('\n'));
        Files.writeString(dir.resolve("results.csv"), csv);
        Files.writeString(dir.resolve("environment.json"), GSON.toJson(environment));
    }

    static String csvRow(CellResult c) {
        var m = c.measurement();
        String nums = m == null ? ",,,,,,,,,"
                : String.format(Locale.ROOT, "%d,%d,%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f", m.ops(), m.errors(),
                m.seconds(), m.throughput(), m.p50Ms(), m.p90Ms(), m.p99Ms(), m.p999Ms(), m.maxMs(), m.meanMs());
        return String.join(",", String.valueOf(c.index()), String.valueOf(c.repetition()), c.subject(), c.kind(),
                quote(c.config()), c.storage(), String.valueOf(c.nodes()), c.workload(), String.valueOf(c.clients()),
                String.valueOf(c.connections()), nums, quote(c.failure()), quote(c.cpuProfile()),
                quote(c.allocProfile()), quote(c.label()), c.loadTo(),
                c.cpu() == null ? "" : num(c.cpu().serverUsPerOp()), c.cpu() == null ? "" : num(c.cpu().clientUsPerOp()),
                c.cpu() == null ? "" : quote(members(c)));
    }

    private static String num(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String members(CellResult c) {
        StringBuilder b = new StringBuilder();
        c.cpu().memberUsPerOp().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b
                .append(b.length() == 0 ? "" : ";").append(e.getKey()).append('=').append(num(e.getValue())));
        return b.toString();
    }

    private static String quote(String s) {
        if (s == null) {
            return "";
        }
        return "\"" + Objects.toString(s).replace("\"", "\"\"").replace('\n', ' ') + "\"";
    }
}
