package io.metastore.mvcc;

import io.metastore.engine.StorageEngine;
import io.metastore.engine.rocksdb.RocksEngine;

import java.nio.file.Path;

class RocksMvccStoreTest extends MvccStoreContract {
    @Override
    StorageEngine openEngine(Path dir) {
        return new RocksEngine(dir);
    }

    @Override
    boolean persistent() {
        return true;
    }

    @Override
    StoreOptions options() {
        return StoreOptions.defaults();
    }
}
