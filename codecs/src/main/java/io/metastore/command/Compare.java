package io.metastore.command;

import java.util.Arrays;
import java.util.Objects;

/**
 * One guard of a {@link Txn}: etcd's {@code Compare}. For the {@code VERSION}, {@code CREATE},
 * {@code MOD} and {@code LEASE} targets the operand is {@code number}; for {@code VALUE} it is
 * {@code value}. A non-empty {@code rangeEnd} compares every key of the range. Enum constants are
 * declared in etcd's wire order.
 */
public record Compare(Result result, Target target, byte[] key, byte[] rangeEnd, long number, byte[] value) {

    /** etcd's {@code Compare.CompareResult}, in wire order. */
    public enum Result { EQUAL, GREATER, LESS, NOT_EQUAL }

    /** etcd's {@code Compare.CompareTarget}, in wire order. */
    public enum Target { VERSION, CREATE, MOD, VALUE, LEASE }

    public Compare {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(key, "key");
        rangeEnd = ByteArrays.orEmpty(rangeEnd);
        value = ByteArrays.orEmpty(value);
    }

    public static Compare version(byte[] key, Result result, long version) {
        return new Compare(result, Target.VERSION, key, ByteArrays.EMPTY, version, ByteArrays.EMPTY);
    }

    public static Compare createRevision(byte[] key, Result result, long revision) {
        return new Compare(result, Target.CREATE, key, ByteArrays.EMPTY, revision, ByteArrays.EMPTY);
    }

    public static Compare modRevision(byte[] key, Result result, long revision) {
        return new Compare(result, Target.MOD, key, ByteArrays.EMPTY, revision, ByteArrays.EMPTY);
    }

    public static Compare value(byte[] key, Result result, byte[] value) {
        return new Compare(result, Target.VALUE, key, ByteArrays.EMPTY, 0, value);
    }

    public static Compare lease(byte[] key, Result result, long lease) {
        return new Compare(result, Target.LEASE, key, ByteArrays.EMPTY, lease, ByteArrays.EMPTY);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compare c && result == c.result && target == c.target && Arrays.equals(key, c.key)
                && Arrays.equals(rangeEnd, c.rangeEnd) && number == c.number && Arrays.equals(value, c.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(result, target, Arrays.hashCode(key), Arrays.hashCode(rangeEnd), number,
                Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "Compare[" + target + ' ' + result + ", key=" + ByteArrays.describe(key) + ", rangeEnd="
                + ByteArrays.describe(rangeEnd) + ", number=" + number + ", value=" + ByteArrays.describe(value)
                + ']';
    }
}
