package io.metastore.engine;

import io.metastore.engine.rocksdb.RocksEngine;

import java.nio.file.Path;

class RocksEngineTest extends StorageEngineContract {
    @Override
    StorageEngine open(Path dir) {
        return new RocksEngine(dir.resolve("rocks"));
    }

    @Override
    boolean persistent() {
        return true;
    }
}
