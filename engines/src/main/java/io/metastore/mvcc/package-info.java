/**
 * etcd's multi-version concurrency control over any {@link io.metastore.engine.StorageEngine}:
 * global revisions, per-key generations, ranges at past revisions, compaction and snapshots.
 */
package io.metastore.mvcc;
