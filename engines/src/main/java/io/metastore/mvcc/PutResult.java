package io.metastore.mvcc;

/** The outcome of a put: the revision that wrote it and the key's previous version ({@code null} if new). */
public record PutResult(long revision, KeyValue prevKv) {
}
