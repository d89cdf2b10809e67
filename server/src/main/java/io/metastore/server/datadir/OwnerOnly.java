package io.metastore.server.datadir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Directories 0700 and files 0600 in the data dir, whatever the umask, as etcd 3.4 keeps its
 * own ({@code fileutil.PrivateDirMode}, {@code PrivateFileMode}): the Raft log holds every key
 * and value and the simple tokens of every login.
 *
 * <p>The libraries below (RocksDB in {@code engine/}, jraft in {@code raft/}) create their files
 * with the process's umask and give no say in it. So the directories they write into are made
 * 0700 before they open ({@link #createDirectories}), which makes nothing below them reachable by
 * another user, and the files are narrowed to 0600 after start-up and at shutdown
 * ({@link #tighten}); a file a library creates in between is 0600 from the next pass on, and is
 * behind a 0700 directory meanwhile.
 *
 * <p>A data dir that already exists with wider permissions is left as it is and warned about,
 * as etcd 3.4.23 does ({@link #warning}); what this server creates inside it is private all the same.
 * On a file system without POSIX permissions every method does nothing.
 */
public final class OwnerOnly {
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates {@code dir} and its missing parents 0700; an existing directory keeps its permissions. */
    public static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        createDirectories(absolute.getParent());
        try {
            Files.createDirectory(absolute);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            return; // created meanwhile by someone else: theirs, left as it is
        }
        restrict(absolute, DIR);
    }

    /**
     * etcd's warning for an existing data dir that others may enter ({@code CheckDirPermission}),
     * in etcd 3.4.23's words, or empty when it is owner-only.
     */
    public static Optional<String> warning(Path dir) throws IOException {
        if (!posix(dir) || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Set<PosixFilePermission> has = Files.getPosixFilePermissions(dir);
        if (has.equals(DIR)) {
            return Optional.empty();
        }
        return Optional.of("check file permission: directory \"" + dir + "\" exist, but the permission is \"d"
                + PosixFilePermissions.toString(has) + "\". The recommended permission is \"-rwx------\" to prevent"
                + " possible unprivileged access to the data.");
    }

    /** Every directory below {@code root} 0700, every file in or below it 0600; {@code root} itself is left as it is. */
    public static void tighten(Path root) throws IOException {
        if (!posix(root) || !Files.isDirectory(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    restrict(dir, DIR);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    restrict(file, FILE);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // a library removed it meanwhile (a compacted SST, an old log)
                }
                throw e;
            }
        });
    }

    private static void restrict(Path p, Set<PosixFilePermission> to) throws IOException {
        if (!posix(p)) {
            return;
        }
        try {
            if (!Files.getPosixFilePermissions(p).equals(to)) {
                Files.setPosixFilePermissions(p, to);
            }
        } catch (NoSuchFileException gone) {
            // removed meanwhile: nothing left to protect
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
