package io.metastore.mvcc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * The baseline record encoding: the JVM's generic, reflective, self-describing serialization
 * (the counterpart of Go's gob), which writes the class description with every record. Kept
 * as a switch to measure what the {@link BinaryKeyValueEncoding fixed layout} saves.
 *
 * <p>Decoding accepts only this record's own class and byte arrays (an {@link ObjectInputFilter}),
 * so stored bytes can never instantiate anything else.
 */
public final class SerializedKeyValueEncoding implements KeyValueEncoding {

    /** The serialized form: a plain class, so the stream describes exactly these fields. */
    private record Stored(byte[] key, long createRevision, long modRevision, long version, byte[] value, long lease)
            implements Serializable {
    }

    private static final ObjectInputFilter FILTER = info -> {
        Class<?> c = info.serialClass();
        if (c == null || c == Stored.class || c == byte[].class) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        return ObjectInputFilter.Status.REJECTED;
    };

    @Override
    public String name() {
        return "generic";
    }

    @Override
    public byte[] encode(KeyValue kv) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + kv.key().length + kv.value().length);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Stored(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(), kv.value(), kv.lease()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + kv, e);
        }
        return bytes.toByteArray();
    }

    static KeyValue decodeSerialized(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            in.setObjectInputFilter(FILTER);
            Stored s = (Stored) in.readObject();
            return new KeyValue(s.key(), s.createRevision(), s.modRevision(), s.version(), s.value(), s.lease());
        } catch (InvalidClassException e) {
            throw new IllegalStateException("rejected serialized key-value record: " + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("corrupt serialized key-value record (" + b.length + " bytes): " + Bytes.describe(b), e);
        }
    }
}
