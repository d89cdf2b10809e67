package io.metastore.server;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages call the package-private restore tool. */
public final class SnapshotRestoreAccess {
    private SnapshotRestoreAccess() {
    }

    public static void restore(Path file, Path dataDir) throws IOException {
        SnapshotRestore.restore(file, dataDir);
    }
}
