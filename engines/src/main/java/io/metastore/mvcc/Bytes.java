package io.metastore.mvcc;

import java.util.Arrays;

/** Small helpers for byte-array keys: etcd's range-end conventions and readable descriptions. */
public final class Bytes {
    private Bytes() {
    }

    static final byte[] EMPTY = new byte[0];

    /**
     * The range end that selects every key starting with {@code prefix} (etcd's
     * {@code clientv3.GetPrefixRangeEnd}): the prefix with its last byte below 0xff incremented
     * and what follows dropped; {@code "\0"} (everything) when the prefix is all 0xff or empty.
     */
    public static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }

    /** Whether {@code k} lies in {@code [from, to)} with {@code to == null} meaning unbounded. */
    static boolean inRange(byte[] k, byte[] from, byte[] to) {
        return Arrays.compareUnsigned(k, from) >= 0 && (to == null || Arrays.compareUnsigned(k, to) < 0);
    }

    /** The smallest key greater than {@code k}: {@code k} followed by a zero byte. */
    static byte[] successor(byte[] k) {
        return Arrays.copyOf(k, k.length + 1);
    }

    /** Printable ASCII as is, everything else as {@code \xNN}; long arrays are cut at 64 bytes. */
    public static String describe(byte[] b) {
        if (b == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(b.length, 64) + 2).append('"');
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        sb.append('"');
        if (b.length > 64) {
            sb.append("...(").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}
