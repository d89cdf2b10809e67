package io.metastore.bench.macro.profile;

import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * async-profiler from the {@code tools.profiler:async-profiler} artifact: its native library is
 * extracted from the classpath once, then loaded into a server JVM through the JDK's attach API
 * (what {@code asprof} does) to start and stop one recording at a time. Each recording writes
 * one HTML flame graph.
 */
public final class AsyncProfiler {
    private final Path library;

    private AsyncProfiler(Path library) {
        this.library = library;
    }

    /** The profiler for this platform, or empty (with the reason) when it cannot be had. */
    public static Optional<AsyncProfiler> locate(StringBuilder whyNot) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String dir = !os.contains("linux") ? null
                : arch.equals("amd64") || arch.equals("x86_64") ? "linux-x64"
                : arch.equals("aarch64") ? "linux-arm64" : null;
        if (dir == null) {
            whyNot.append("async-profiler ships no library for ").append(os).append('/').append(arch);
            return Optional.empty();
        }
        try (InputStream in = AsyncProfiler.class.getClassLoader().getResourceAsStream(dir + "/libasyncProfiler.so")) {
            if (in == null) {
                whyNot.append("libasyncProfiler.so not on the classpath");
                return Optional.empty();
            }
            Path tmp = Files.createTempDirectory("async-profiler");
            Path lib = tmp.resolve("libasyncProfiler.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            tmp.toFile().deleteOnExit();
            return Optional.of(new AsyncProfiler(lib));
        } catch (IOException e) {
            whyNot.append("cannot extract libasyncProfiler.so: ").append(e.getMessage());
            return Optional.empty();
        }
    }

    /** Starts recording {@code event} ({@code cpu} or {@code alloc}) in JVM {@code pid}. */
    public void start(long pid, String event) throws Exception {
        command(pid, "start,event=" + event + ("cpu".equals(event) ? ",interval=1ms" : ""));
    }

    /** Stops the current recording of {@code pid} and writes its flame graph to {@code html}. */
    public void stop(long pid, Path html) throws Exception {
        Files.createDirectories(html.toAbsolutePath().getParent());
        command(pid, "stop,file=" + html.toAbsolutePath());
    }

    private void command(long pid, String options) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            vm.loadAgentPath(library.toString(), options);
        } finally {
            vm.detach();
        }
    }
}
