package io.metastore.engine;

import io.metastore.engine.memory.MemoryEngine;

import java.nio.file.Path;

class MemoryShardedEngineTest extends StorageEngineContract {
    @Override
    StorageEngine open(Path dir) {
        return new MemoryEngine(MemoryEngine.Locking.SHARDED);
    }

    @Override
    boolean persistent() {
        return false;
    }
}
