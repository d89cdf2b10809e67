package io.metastore.bench.runner;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Keeps the run lists of {@code results/README.md} and {@code profiles/README.md} up to date:
 * one line per micro run under their {@code ## Runs} heading, replaced when the run is written
 * again. Lines of other harnesses are left as they are.
 */
final class Indexes {

    private static final String HEADING = "## Runs";

    private Indexes() {
    }

    static void recordResults(Path root, String run, List<Suite> suites, JsonObject env) throws IOException {
        String line = "- [micro/" + run + "](micro/" + run + "/summary.md): "
                + suites.stream().map(s -> s.id).collect(Collectors.joining(", ")) + "; JDK "
                + (env.has("jdk") ? env.get("jdk").getAsString() : "?") + "; "
                + (env.has("cpus") ? env.get("cpus").getAsString() : "?") + " CPUs"
                + (env.has("gitDirty") && env.get("gitDirty").getAsBoolean() ? "; uncommitted changes present" : "");
        update(root.resolve("results/README.md"), "- [micro/" + run + "]", line);
    }

    static void recordProfiles(Path root, String run, List<Suite> suites) throws IOException {
        // Several flame runs of one commit share a folder: list every suite it holds, not only this run's.
        Path dir = root.resolve("profiles/micro").resolve(run);
        List<String> present = java.util.Arrays.stream(Suite.values()).map(s -> s.id)
                .filter(id -> Files.isDirectory(dir.resolve(id))).toList();
        String line = "- [micro/" + run + "](micro/" + run + "/): flame graphs of "
                + (present.isEmpty() ? suites.stream().map(s -> s.id).collect(Collectors.joining(", "))
                        : String.join(", ", present))
                + " (one folder per benchmark and parameter set, `flame-cpu-forward.html` and friends)";
        update(root.resolve("profiles/README.md"), "- [micro/" + run + "]", line);
    }

    /** Replaces the line starting with {@code key} in the Runs section, or appends {@code line} to it. */
    static void update(Path readme, String key, String line) throws IOException {
        List<String> lines = Files.exists(readme) ? new ArrayList<>(Files.readAllLines(readme)) : new ArrayList<>();
        int heading = lines.indexOf(HEADING);
        if (heading < 0) {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
                lines.add("");
            }
            lines.add(HEADING);
            lines.add("");
            heading = lines.size() - 2;
        }
        int end = heading + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ")) {
            end++;
        }
        boolean replaced = false;
        int lastEntry = heading + 1;
        for (int i = heading + 1; i < end; i++) {
            String l = lines.get(i);
            if (l.equals("None yet.")) {
                lines.set(i, line);
                replaced = true;
                lastEntry = i;
            } else if (l.startsWith(key)) {
                lines.set(i, line);
                replaced = true;
            } else if (l.startsWith("- ")) {
                lastEntry = i;
            }
        }
        if (!replaced) {
            lines.add(lastEntry + 1, line);
        }
        Files.writeString(readme, String.join("\n", lines) + "\n");
    }
}
