package io.metastore.codec;

import java.util.List;
import java.util.stream.Collectors;

/** The standard entry codecs, looked up by configuration name, and the decoder that reads them all. */
public final class EntryCodecs {

    private static final GsonEntryCodec JSON = new GsonEntryCodec();
    private static final KryoEntryCodec KRYO = new KryoEntryCodec();
    private static final ProtobufEntryCodec PROTOBUF = new ProtobufEntryCodec();
    private static final List<EntryCodec> STANDARD = List.of(JSON, KRYO, PROTOBUF);
    private static final EntryDecoder DECODER = new EntryDecoder(STANDARD, KRYO);

    private EntryCodecs() {
    }

    /** The json, kryo and protobuf codecs, in codec id order. Shared, thread-safe instances. */
    public static List<EntryCodec> standard() {
        return STANDARD;
    }

    /**
     * The standard codec called {@code name}.
     *
     * @throws IllegalArgumentException naming the valid names if there is none
     */
    public static EntryCodec byName(String name) {
        for (EntryCodec codec : STANDARD) {
            if (codec.name().equals(name)) {
                return codec;
            }
        }
        throw new IllegalArgumentException("unknown entry codec \"" + name + "\"; valid names: "
                + STANDARD.stream().map(EntryCodec::name).collect(Collectors.joining(", ")));
    }

    /** A decoder for entries of every standard codec and for legacy headerless Kryo entries. */
    public static EntryDecoder decoder() {
        return DECODER;
    }
}
