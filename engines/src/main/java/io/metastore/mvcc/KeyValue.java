package io.metastore.mvcc;

import java.util.Arrays;
import java.util.Objects;

/**
 * One version of one key, as etcd's {@code mvccpb.KeyValue}: the revision that created the
 * key's current generation, the revision of this change, the number of changes in this
 * generation (1 for the create), the value and the attached lease (0 for none).
 *
 * <p>Takes ownership of the arrays it is given; nobody modifies them afterwards.
 */
public record KeyValue(byte[] key, long createRevision, long modRevision, long version, byte[] value, long lease) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        value = value == null ? Bytes.EMPTY : value;
    }

    /** This key-value without its value, as a {@code keys_only} range returns it. */
    public KeyValue withoutValue() {
        return value.length == 0 ? this : new KeyValue(key, createRevision, modRevision, version, Bytes.EMPTY, lease);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv
                && createRevision == kv.createRevision && modRevision == kv.modRevision
                && version == kv.version && lease == kv.lease
                && Arrays.equals(key, kv.key) && Arrays.equals(value, kv.value);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(key);
        h = 31 * h + Long.hashCode(modRevision);
        return 31 * h + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "KeyValue[key=" + Bytes.describe(key) + ", create=" + createRevision + ", mod=" + modRevision
                + ", version=" + version + ", value=" + Bytes.describe(value) + ", lease=" + lease + "]";
    }
}
