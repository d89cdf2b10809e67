package io.metastore.mvcc;

/**
 * A change made by a committed write, in the order it was made. A delete's {@code kv} carries
 * only the key and the deleting revision as {@code modRevision}, as etcd's watch events do;
 * {@code prevKv} is the key's previous version ({@code null} for the create of a key).
 */
public record Event(Type type, KeyValue kv, KeyValue prevKv) {
    public enum Type { PUT, DELETE }
}
