package io.metastore.mvcc;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A fixed binary layout for stored key-values (Tier 1):
 * <pre>
 *  0    1          5           5+k        13+k       21+k       29+k       37+k       41+k
 *  +----+----------+-----------+----------+----------+----------+----------+----------+-----------+
 *  | 01 | key len  | key       | create   | mod      | version  | lease    | value len| value     |
 *  |    | u32 BE   | k bytes   | i64 BE   | i64 BE   | i64 BE   | i64 BE   | u32 BE   | v bytes   |
 *  +----+----------+-----------+----------+----------+----------+----------+----------+-----------+
 * </pre>
 * The size is known before writing, so {@code pooled} only changes how the bytes are put
 * together: pooled writes into one exactly-sized array directly; not pooled goes through a
 * growing {@link ByteArrayOutputStream} and {@link DataOutputStream}, the naive way, so the
 * {@code pooled-buffers} switch measures what buffer handling costs on the write path.
 */
public final class BinaryKeyValueEncoding implements KeyValueEncoding {

    static final byte FORMAT_VERSION = 0x01;
    private static final int FIXED = 1 + 4 + 8 * 4 + 4;

    private final boolean pooled;

    public BinaryKeyValueEncoding(boolean pooled) {
        this.pooled = pooled;
    }

    @Override
    public String name() {
        return "binary";
    }

    @Override
    public byte[] encode(KeyValue kv) {
        return pooled ? encodeExact(kv) : encodeStream(kv);
    }

    private static byte[] encodeExact(KeyValue kv) {
        byte[] key = kv.key();
        byte[] value = kv.value();
        byte[] b = new byte[FIXED + key.length + value.length];
        b[0] = FORMAT_VERSION;
        writeInt(b, 1, key.length);
        System.arraycopy(key, 0, b, 5, key.length);
        int p = 5 + key.length;
        Revision.writeLong(b, p, kv.createRevision());
        Revision.writeLong(b, p + 8, kv.modRevision());
        Revision.writeLong(b, p + 16, kv.version());
        Revision.writeLong(b, p + 24, kv.lease());
        writeInt(b, p + 32, value.length);
        System.arraycopy(value, 0, b, p + 36, value.length);
        return b;
    }

    private static byte[] encodeStream(KeyValue kv) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT_VERSION);
            out.writeInt(kv.key().length);
            out.write(kv.key());
            out.writeLong(kv.createRevision());
            out.writeLong(kv.modRevision());
            out.writeLong(kv.version());
            out.writeLong(kv.lease());
            out.writeInt(kv.value().length);
            out.write(kv.value());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyValue decodeBinary(byte[] b) {
        if (b.length < FIXED) {
            throw corrupt(b);
        }
        int keyLen = readInt(b, 1);
        if (keyLen < 0 || keyLen > b.length - FIXED) {
            throw corrupt(b);
        }
        int p = 5 + keyLen;
        int valueLen = readInt(b, p + 32);
        if (valueLen != b.length - FIXED - keyLen) {
            throw corrupt(b);
        }
        return new KeyValue(Arrays.copyOfRange(b, 5, p), Revision.readLong(b, p), Revision.readLong(b, p + 8),
                Revision.readLong(b, p + 16), Arrays.copyOfRange(b, p + 36, p + 36 + valueLen), Revision.readLong(b, p + 24));
    }

    private static IllegalStateException corrupt(byte[] b) {
        return new IllegalStateException("corrupt binary key-value record (" + b.length + " bytes): " + Bytes.describe(b));
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
