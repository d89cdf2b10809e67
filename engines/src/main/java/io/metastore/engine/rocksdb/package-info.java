/** The storage engine on RocksDB: one column family per bucket, tuned for a Raft-applied MVCC workload. */
package io.metastore.engine.rocksdb;
