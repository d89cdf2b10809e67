package io.metastore.mvcc;

import io.metastore.engine.StorageEngine;
import io.metastore.engine.memory.MemoryEngine;

import java.nio.file.Path;

class MemoryBaselineMvccStoreTest extends MvccStoreContract {
    @Override
    StorageEngine openEngine(Path dir) {
        return new MemoryEngine(MemoryEngine.Locking.GLOBAL);
    }

    @Override
    boolean persistent() {
        return false;
    }

    @Override
    StoreOptions options() {
        return StoreOptions.baseline();
    }
}
