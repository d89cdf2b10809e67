/**
 * The storage-engine boundary: ordered byte keyspaces ("buckets"), atomic write batches and
 * consistent snapshots, knowing nothing of MVCC, codecs or the library that implements it.
 */
package io.metastore.engine;
