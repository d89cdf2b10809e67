package io.metastore.command;

import java.util.Arrays;
import java.util.Objects;

/** etcd's {@code PutRequest}: set {@code key} to {@code value}, optionally attached to a lease. */
public record Put(byte[] key, byte[] value, long lease, boolean prevKv, boolean ignoreValue, boolean ignoreLease)
        implements Command, TxnOp {

    public Put {
        Objects.requireNonNull(key, "key");
        value = ByteArrays.orEmpty(value);
    }

    /** A plain put without lease or options. */
    public static Put of(byte[] key, byte[] value) {
        return new Put(key, value, 0, false, false, false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Put p && Arrays.equals(key, p.key) && Arrays.equals(value, p.value) && lease == p.lease
                && prevKv == p.prevKv && ignoreValue == p.ignoreValue && ignoreLease == p.ignoreLease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), lease, prevKv, ignoreValue, ignoreLease);
    }

    @Override
    public String toString() {
        return "Put[key=" + ByteArrays.describe(key) + ", value=" + ByteArrays.describe(value) + ", lease=" + lease
                + ", prevKv=" + prevKv + ", ignoreValue=" + ignoreValue + ", ignoreLease=" + ignoreLease + ']';
    }
}
