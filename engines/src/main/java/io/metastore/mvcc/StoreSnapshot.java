package io.metastore.mvcc;

import io.metastore.engine.Bucket;
import io.metastore.engine.EngineSnapshot;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The stream format of a store snapshot: every entry of every bucket, then a trailer that
 * counts and checksums them.
 * <pre>
 *  header   : "MSSNAP" 0x00 0x01                          (magic, format version 1)
 *  entry    : 0x01 | name len u8 | bucket name | key len u32 BE | key | value len u32 BE | value
 *  trailer  : 0x00 | entry count u64 BE | CRC-32 of every byte before the CRC, u32 BE
 * </pre>
 * Buckets are written in name order and entries in key order, so two engines holding the same
 * data write byte-identical snapshots.
 */
final class StoreSnapshot {

    private static final byte[] MAGIC = {'M', 'S', 'S', 'N', 'A', 'P', 0, 1};
    private static final int RESTORE_BATCH = 10_000;

    private StoreSnapshot() {
    }

    static void write(StorageEngine engine, OutputStream target) throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(target, 1 << 16), crc));
        out.write(MAGIC);
        long[] count = {0};
        IOException[] error = {null};
        try (EngineSnapshot snap = engine.snapshot()) {
            TreeSet<String> names = new TreeSet<>();
            engine.buckets().forEach(b -> names.add(b.name()));
            for (String name : names) {
                byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
                snap.scan(new Bucket(name), Bytes.EMPTY, null, (k, v) -> {
                    try {
                        out.writeByte(1);
                        out.writeByte(nameBytes.length);
                        out.write(nameBytes);
                        out.writeInt(k.length);
                        out.write(k);
                        out.writeInt(v.length);
                        out.write(v);
                        count[0]++;
                        return true;
                    } catch (IOException e) {
                        error[0] = e;
                        return false;
                    }
                });
                if (error[0] != null) {
                    throw error[0];
                }
            }
        }
        out.writeByte(0);
        out.writeLong(count[0]);
        out.flush();
        // The CRC itself goes around the checksumming stream.
        DataOutputStream tail = new DataOutputStream(target);
        tail.writeInt((int) crc.getValue());
        tail.flush();
    }

    /** Clears every bucket of {@code engine}, then loads the snapshot into it. */
    static void read(StorageEngine engine, InputStream source) throws IOException {
        clear(engine);
        CRC32 crc = new CRC32();
        BufferedInputStream buffered = new BufferedInputStream(source, 1 << 16);
        DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
        byte[] magic = new byte[MAGIC.length];
        try {
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a store snapshot (format version 1): starts with " + Bytes.describe(magic));
            }
            long count = 0;
            WriteBatch batch = engine.newBatch();
            try {
                while (true) {
                    int tag = in.readUnsignedByte();
                    if (tag == 0) {
                        break;
                    }
                    if (tag != 1) {
                        throw new IOException("corrupt store snapshot: unknown record tag " + tag + " after " + count + " entries");
                    }
                    byte[] name = readBytes(in, in.readUnsignedByte());
                    byte[] key = readBytes(in, in.readInt());
                    byte[] value = readBytes(in, in.readInt());
                    batch.put(new Bucket(new String(name, StandardCharsets.US_ASCII)), key, value);
                    count++;
                    if (batch.count() >= RESTORE_BATCH) {
                        engine.write(batch);
                        batch.close();
                        batch = engine.newBatch();
                    }
                }
                long expected = in.readLong();
                int actualCrc = (int) crc.getValue();
                int storedCrc = new DataInputStream(buffered).readInt();
                if (expected != count) {
                    throw new IOException("corrupt store snapshot: trailer counts " + expected + " entries, found " + count);
                }
                if (storedCrc != actualCrc) {
                    throw new IOException("corrupt store snapshot: checksum mismatch");
                }
                engine.write(batch);
            } finally {
                batch.close();
            }
        } catch (EOFException e) {
            throw new IOException("truncated store snapshot", e);
        }
    }

    private static byte[] readBytes(DataInputStream in, int n) throws IOException {
        if (n < 0 || n > (1 << 30)) {
            throw new IOException("corrupt store snapshot: length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void clear(StorageEngine engine) {
        for (Bucket bucket : engine.buckets()) {
            List<byte[]> keys = new ArrayList<>();
            engine.scan(bucket, Bytes.EMPTY, null, (k, v) -> {
                keys.add(k);
                return true;
            });
            for (int i = 0; i < keys.size(); i += RESTORE_BATCH) {
                try (WriteBatch b = engine.newBatch()) {
                    for (byte[] k : keys.subList(i, Math.min(keys.size(), i + RESTORE_BATCH))) {
                        b.delete(bucket, k);
                    }
                    engine.write(b);
                }
            }
        }
    }
}
