package io.metastore.server;

import io.metastore.engine.rocksdb.RocksEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.StoreOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * {@code metastore snapshot restore FILE --data-dir DIR}: builds a new member's data dir from a
 * snapshot saved with {@code etcdctl snapshot save}. The file's trailing SHA-256 is checked
 * first; the store is restored into RocksDB under {@code DIR/engine} with its applied Raft
 * index cleared, so the new member (or every member of a new cluster, each restored from the
 * same file) starts a fresh Raft log over the restored data.
 */
final class SnapshotRestore {
    private SnapshotRestore() {
    }

    static void restore(Path file, Path dataDir) throws IOException {
        if (Files.exists(dataDir) && Files.list(dataDir).findAny().isPresent()) {
            throw new IllegalArgumentException("data-dir " + dataDir + " exists and is not empty");
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length < 32) {
            throw new IllegalArgumentException(file + " is not a snapshot (too short)");
        }
        byte[] body = Arrays.copyOf(all, all.length - 32);
        byte[] expected = Arrays.copyOfRange(all, all.length - 32, all.length);
        byte[] actual;
        try {
            actual = MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new IllegalArgumentException(file + ": snapshot checksum mismatch");
        }
        io.metastore.server.datadir.OwnerOnly.createDirectories(dataDir.resolve("engine"));
        try (RocksEngine engine = new RocksEngine(dataDir.resolve("engine"));
             MvccStore store = new MvccStore(engine, StoreOptions.defaults())) {
            store.restore(new ByteArrayInputStream(body));
            store.forgetAppliedIndex();
        }
        io.metastore.server.datadir.OwnerOnly.tighten(dataDir);
    }
}
