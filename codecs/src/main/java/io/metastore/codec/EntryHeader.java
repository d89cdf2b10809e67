package io.metastore.codec;

/**
 * The 4-byte header in front of every entry body written by an {@link EntryCodec}.
 *
 * <pre>
 *  byte    0        1        2          3
 *       +--------+--------+----------+---------+
 *       |  0xE7  |  0xCD  | codec id | version |
 *       +--------+--------+----------+---------+
 *       |     magic       | 1 = json | 1       |
 *       |                 | 2 = kryo |         |
 *       |                 | 3 = pb   |         |
 *       +-----------------+----------+---------+
 *  then the body, in the format the codec id names, up to the end of the entry.
 * </pre>
 *
 * <p>Entries written before the header existed are a bare Kryo body (see
 * {@link KryoEntryCodec#encodeBody}), which starts with the varint of a registered class id. Those
 * ids are small, so that first byte is always below {@code 0x80}; {@code 0xE7} has the high bit
 * set, so a legacy entry can never be mistaken for a headered one and the two formats can share a
 * log without a migration.
 *
 * <p>The format version is per codec: a codec that changes its body layout bumps it, and a reader
 * rejects versions it does not know instead of guessing.
 */
public final class EntryHeader {

    /** First magic byte. Never the first byte of a legacy (headerless Kryo) entry. */
    public static final byte MAGIC_0 = (byte) 0xE7;
    /** Second magic byte. */
    public static final byte MAGIC_1 = (byte) 0xCD;
    /** The only body format version this code writes and reads. */
    public static final byte VERSION = 1;
    /** Header length in bytes. */
    public static final int LENGTH = 4;

    /** Codec id of {@link GsonEntryCodec}. */
    public static final byte JSON_ID = 1;
    /** Codec id of {@link KryoEntryCodec}. */
    public static final byte KRYO_ID = 2;
    /** Codec id of {@link ProtobufEntryCodec}. */
    public static final byte PROTOBUF_ID = 3;

    private EntryHeader() {
    }

    /** Writes the header for {@code codecId} into {@code target[0..4)}. */
    static void write(byte[] target, byte codecId) {
        target[0] = MAGIC_0;
        target[1] = MAGIC_1;
        target[2] = codecId;
        target[3] = VERSION;
    }

    /** The header for {@code codecId} as a new array. */
    static byte[] of(byte codecId) {
        byte[] header = new byte[LENGTH];
        write(header, codecId);
        return header;
    }

    /**
     * Whether {@code entry} claims to carry a header: its first byte is {@link #MAGIC_0}, which
     * no legacy entry starts with.
     */
    static boolean claimsHeader(byte[] entry) {
        return entry.length > 0 && entry[0] == MAGIC_0;
    }

    /**
     * Checks that {@code entry} starts with a complete header naming {@code codecId} and
     * {@link #VERSION}.
     *
     * @throws CorruptEntryException otherwise
     */
    static void check(byte[] entry, byte codecId) {
        checkMagicAndVersion(entry);
        if (entry[2] != codecId) {
            throw CorruptEntryException.of("entry has codec id " + (entry[2] & 0xff) + ", expected " + codecId,
                    entry, null);
        }
    }

    /**
     * Checks that {@code entry} starts with the magic and a supported version.
     *
     * @throws CorruptEntryException otherwise
     */
    static void checkMagicAndVersion(byte[] entry) {
        if (entry.length < LENGTH) {
            throw CorruptEntryException.of("entry shorter than its " + LENGTH + "-byte header", entry, null);
        }
        if (entry[0] != MAGIC_0 || entry[1] != MAGIC_1) {
            throw CorruptEntryException.of("entry does not start with the header magic e7cd", entry, null);
        }
        if (entry[3] != VERSION) {
            throw CorruptEntryException.of("unsupported entry format version " + (entry[3] & 0xff)
                    + " (this build reads version " + VERSION + ")", entry, null);
        }
    }
}
