package io.metastore.mvcc;

/**
 * How a {@link KeyValue} is stored as the value of a key-bucket entry. A store switch (Tier 1),
 * so the cost of each choice can be measured: {@link SerializedKeyValueEncoding generic
 * reflective serialization} as the baseline, {@link BinaryKeyValueEncoding a fixed binary
 * layout} as the fast choice.
 *
 * <p>Every encoding reads what any other wrote: the first byte tells them apart (Java
 * serialization streams start with {@code 0xAC}, the binary layout with its version byte
 * {@code 0x01}), so a store whose encoding switch is flipped still reads its old data.
 */
public interface KeyValueEncoding {

    /** The encoding's name as the {@code --kv-encoding} switch spells it. */
    String name();

    byte[] encode(KeyValue kv);

    /** Decodes bytes written by any encoding. */
    default KeyValue decode(byte[] bytes) {
        return decodeAny(bytes);
    }

    /** Decodes bytes written by any encoding, choosing by the first byte. */
    static KeyValue decodeAny(byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == BinaryKeyValueEncoding.FORMAT_VERSION) {
            return BinaryKeyValueEncoding.decodeBinary(bytes);
        }
        if (bytes.length > 1 && bytes[0] == (byte) 0xAC && bytes[1] == (byte) 0xED) {
            return SerializedKeyValueEncoding.decodeSerialized(bytes);
        }
        throw new IllegalStateException("unknown key-value record format: " + Bytes.describe(bytes));
    }
}
