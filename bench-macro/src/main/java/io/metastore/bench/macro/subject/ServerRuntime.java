package io.metastore.bench.macro.subject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java runtime a MetaStore server runs on, written {@code default} (the harness's own JVM),
 * a JDK home or a {@code java} binary, either followed by {@code +aot}: on a JDK of 25 or later,
 * the server then starts from an ahead-of-time cache (JEP 483 classes loaded and linked, JEP 515
 * method profiles) that the harness records in a training run of the same configuration before
 * the run's first cell. {@code name} is what ids and tables show: {@code jdk17}, {@code jdk25},
 * {@code jdk25-aot}.
 */
public record ServerRuntime(String name, Path java, int feature, boolean aot, boolean isDefault) {
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)(?:[.\"-])");

    /** Java 24 and later warn, once per start, about sun.misc.Unsafe and native access unless told they are allowed. */
    private static final List<String> QUIET_ON_24 = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    public static ServerRuntime harnessJvm() {
        return new ServerRuntime("jdk" + Runtime.version().feature(), Path.of(Ports.javaBinary()), Runtime.version().feature(),
                false, true);
    }

    public static ServerRuntime parse(String text) {
        boolean aot = text.endsWith("+aot");
        String where = aot ? text.substring(0, text.length() - "+aot".length()) : text;
        ServerRuntime base;
        if (where.equals("default")) {
            base = harnessJvm();
        } else {
            Path p = Path.of(where);
            Path java = Files.isDirectory(p) ? p.resolve("bin").resolve("java") : p;
            if (!Files.isExecutable(java)) {
                throw new IllegalArgumentException("no java binary at " + java + " (from --server-java " + text + ")");
            }
            int feature = feature(java);
            base = new ServerRuntime("jdk" + feature, java, feature, false, false);
        }
        if (!aot) {
            return base;
        }
        if (base.feature < 25) {
            throw new IllegalArgumentException("+aot needs JDK 25 or later (-XX:AOTCacheOutput); " + where + " is JDK "
                    + base.feature);
        }
        return new ServerRuntime(base.name + "-aot", base.java, base.feature, true, false);
    }

    /** The options every server on this runtime gets before the harness's own JVM options. */
    public List<String> options() {
        return feature >= 24 ? QUIET_ON_24 : List.of();
    }

    /** The options that make a server start from {@code cache}, or record into it at exit when {@code training}. */
    public List<String> aotOptions(Path cache, boolean training) {
        List<String> out = new ArrayList<>();
        if (aot) {
            out.add((training ? "-XX:AOTCacheOutput=" : "-XX:AOTCache=") + cache);
        }
        return out;
    }

    /** The feature release (17, 25) that {@code java -version} names. */
    static int feature(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(text);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            throw new IllegalArgumentException("cannot read a version from `" + java + " -version`: " + text.trim());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot run " + java + " -version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while running " + java + " -version", e);
        }
    }
}
