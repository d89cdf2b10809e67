package io.metastore.server.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What tells that some files were replaced or rewritten since they were read: each one's
 * modification time (to the file system's precision), size and file key (device and inode, so a
 * file renamed into place, or a symlink swapped as Kubernetes swaps a mounted secret, counts even
 * within the same tick). One {@code stat} per file; a file that cannot be read stamps as
 * {@code null}, so its coming back counts as a change too.
 */
record FileStamp(List<Object> parts) {
    static FileStamp of(Path... files) {
        List<Object> p = new ArrayList<>(files.length * 3);
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                p.add(a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
                p.add(a.size());
                p.add(a.fileKey());
            } catch (IOException e) {
                p.add(null);
                p.add(null);
                p.add(null);
            }
        }
        return new FileStamp(java.util.Collections.unmodifiableList(p));
    }
}
