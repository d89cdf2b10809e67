package io.metastore.engine;

import io.metastore.engine.memory.MemoryEngine;

import java.nio.file.Path;

class MemoryGlobalEngineTest extends StorageEngineContract {
    @Override
    StorageEngine open(Path dir) {
        return new MemoryEngine(MemoryEngine.Locking.GLOBAL);
    }

    @Override
    boolean persistent() {
        return false;
    }
}
