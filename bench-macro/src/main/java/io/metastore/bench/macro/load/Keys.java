package io.metastore.bench.macro.load;

import com.google.protobuf.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Keys and values of the workloads, built before any measured window: 8-byte keys
 * ({@code k0000042}) over a key space, and one value of the configured size shared by every put.
 */
public final class Keys {
    public static final int KEY_BYTES = 8;

    private final ByteString[] keys;
    private final ByteString value;

    public Keys(int keySpace, int valueBytes) {
        if (keySpace < 1 || keySpace > 9_999_999) {
            throw new IllegalArgumentException("key space must be 1..9999999 to fit 8-byte keys: " + keySpace);
        }
        keys = new ByteString[keySpace];
        for (int i = 0; i < keySpace; i++) {
            keys[i] = ByteString.copyFrom(String.format("k%07d", i), StandardCharsets.US_ASCII);
        }
        byte[] v = new byte[valueBytes];
        new Random(42).nextBytes(v);
        value = ByteString.copyFrom(v);
    }

    public ByteString key(int i) {
        return keys[i];
    }

    public int size() {
        return keys.length;
    }

    public ByteString value() {
        return value;
    }
}
