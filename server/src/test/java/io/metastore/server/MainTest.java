package io.metastore.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the process ends when it cannot start. */
class MainTest {
    @Test
    void anUnusableCertificateFileEndsTheProcessWithOneLineBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not PEM\n");
        Path dataDir = dir.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--data-dir", dataDir.toString(), "--port", "0",
                "--grpc-addr", "127.0.0.1:" + TestServers.freePort(), "--cluster", "127.0.0.1:" + TestServers.freePort(),
                "--cert-file", garbage.toString(), "--key-file", garbage.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals("metastore: --cert-file " + garbage + ": no PEM data in it" + System.lineSeparator(),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(dataDir), "the data dir was not touched");
    }

    /** etcd 3.4.23's {@code etcd --version} prints four {@code Key: value} lines and exits 0; this prints MetaStore's. */
    @Test
    void versionPrintsEtcdsShapeAboutMetaStoreAndExitsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--version", "--name", "ignored"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("MetaStore Version", "Git SHA", "Java Version", "Java OS/Arch", "etcd API Version"),
                lines.stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertTrue(lines.get(0).matches("MetaStore Version: \\d+\\.\\d+\\.\\d+.*"), lines.get(0));
        assertEquals("Java Version: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                lines.get(2));
        assertEquals("etcd API Version: " + io.metastore.server.maintenance.Maintenance.VERSION, lines.get(4));
    }

    static int runWithDataDir(Path dataDir, ByteArrayOutputStream err) {
        return Main.run(new String[] {"--data-dir", dataDir.toString(), "--port", "0", "--storage", "memory",
                "--grpc-addr", "127.0.0.1:" + TestServers.freePort(), "--cluster", "127.0.0.1:" + TestServers.freePort()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anUnusableDataDirEndsTheProcessWithOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, runWithDataDir(file, err));
        assertEquals("metastore: cannot start: data dir " + file + " is not a directory" + System.lineSeparator(),
                err.toString(StandardCharsets.UTF_8));

        err.reset();
        Path under = file.resolve("data");
        assertEquals(1, runWithDataDir(under, err));
        assertEquals("metastore: cannot start: cannot use data dir " + under + ": " + under + ": Not a directory"
                + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));

        Path locked = Files.createDirectories(dir.resolve("locked"));
        try (FileChannel ch = FileChannel.open(locked.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            err.reset();
            assertTrue(held.isValid());
            assertEquals(1, runWithDataDir(locked, err));
            assertEquals("metastore: cannot start: data dir " + locked + " is in use in this process"
                    + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("LOCK"), Files.list(locked).map(p -> p.getFileName().toString()).toList(),
                "nothing was written into the locked data dir");
    }

    @Test
    void aRaftPortInUseEndsTheProcessWithOneLineNamingIt(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String peer = "127.0.0.1:" + taken.getLocalPort();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--data-dir", dir.resolve("data").toString(), "--port", "0",
                    "--grpc-addr", "127.0.0.1:" + TestServers.freePort(), "--cluster", peer, "--storage", "memory"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, code);
            assertEquals("metastore: cannot start: cannot listen for Raft on " + peer + ": Address already in use"
                    + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        }
    }
}
