package io.metastore.server.datadir;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data dir is owner-only: directories 0700, files 0600, as etcd 3.4 keeps its own. */
class OwnerOnlyTest {
    @TempDir
    Path tmp;

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Every entry below {@code root} whose permissions are not owner-only, with its mode. */
    static List<String> open(Path root) throws IOException {
        List<String> wider = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String m = mode(p);
                if (!m.equals(Files.isDirectory(p) ? "rwx------" : "rw-------")) {
                    wider.add(root.relativize(p) + " " + m);
                }
            }
        } catch (java.io.UncheckedIOException e) {
            if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                throw e; // a file RocksDB or jraft removed during the walk is not a finding
            }
        }
        return wider;
    }

    @Test
    void aMemberCreatesItsDataDirAndEverythingInItOwnerOnly() throws Exception {
        Path dataDir = tmp.resolve("new").resolve("m1");
        MetaStoreServer server = TestServers.startAndAwaitLeader(TestServers.singleNode(dataDir, "--storage", "rocksdb"));
        try (Client etcd = TestServers.client(server.grpcPort())) {
            etcd.getKVClient().put(ByteSequence.from("k", StandardCharsets.UTF_8), ByteSequence.from("v", StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("rwx------", mode(dataDir));
            assertEquals("rwx------", mode(dataDir.getParent()), "a missing parent is created owner-only too");
            for (String sub : List.of("raft", "engine")) {
                assertEquals("rwx------", mode(dataDir.resolve(sub)), sub + " is closed to others while running");
            }
            for (String file : List.of("LOCK", "cluster-id")) {
                assertEquals("rw-------", mode(dataDir.resolve(file)), file);
            }
            assertTrue(Files.list(dataDir.resolve("engine")).anyMatch(p -> p.getFileName().toString().startsWith("MANIFEST")),
                    "RocksDB wrote its files");
        } finally {
            server.close();
        }
        assertEquals(List.of(), open(dataDir), "after shutdown every directory is 0700 and every file 0600");
    }

    /** etcd 3.4.23 on a data dir created 0755 beforehand: it warns, keeps the dir's mode, and makes its member dir 0700. */
    @Test
    void aGivenDataDirWithWiderPermissionsIsWarnedAboutAndWhatIsCreatedInItIsPrivate() throws Exception {
        Path dataDir = Files.createDirectory(tmp.resolve("given"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Optional.of("check file permission: directory \"" + dataDir + "\" exist, but the permission is"
                + " \"drwxr-xr-x\". The recommended permission is \"-rwx------\" to prevent possible unprivileged access"
                + " to the data."), OwnerOnly.warning(dataDir));
        MetaStoreServer server = TestServers.startAndAwaitLeader(TestServers.singleNode(dataDir, "--storage", "rocksdb"));
        server.close();
        assertEquals("rwxr-xr-x", mode(dataDir), "left as given, as etcd leaves it");
        assertEquals(List.of(), open(dataDir));
        Files.setPosixFilePermissions(dataDir, OwnerOnly.DIR);
        assertEquals(Optional.empty(), OwnerOnly.warning(dataDir));
    }

    /** Whatever the umask made of them, files and directories below the root end owner-only; the root is left alone. */
    @Test
    void tightenNarrowsEverythingBelowTheRoot() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path deep = Files.createDirectories(root.resolve("a/b"));
        Path file = Files.writeString(deep.resolve("f"), "secret");
        for (Path p : List.of(root, root.resolve("a"), deep)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        OwnerOnly.tighten(root);
        assertEquals(List.of(), open(root));
        assertEquals("rwxrwxrwx", mode(root));
    }
}
