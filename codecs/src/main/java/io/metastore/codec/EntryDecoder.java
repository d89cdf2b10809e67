package io.metastore.codec;

import io.metastore.command.Command;
import java.util.List;

/**
 * Decodes any log entry, whichever codec wrote it, so the codec can change while old entries
 * remain in the log. An entry that starts with the {@link EntryHeader} magic is dispatched on its
 * codec id; any other entry is read as a legacy headerless Kryo body (see
 * {@link KryoEntryCodec#encodeBody}), which must be consumed exactly. Anything else is a
 * {@link CorruptEntryException}: an entry is never skipped and never decoded as null.
 * Thread-safe.
 */
public final class EntryDecoder {

    private final EntryCodec[] byId = new EntryCodec[256];
    private final KryoEntryCodec legacy;

    EntryDecoder(List<EntryCodec> codecs, KryoEntryCodec legacy) {
        for (EntryCodec codec : codecs) {
            int id = codec.id() & 0xff;
            if (byId[id] != null) {
                throw new IllegalArgumentException("codec id " + id + " used by " + byId[id].name() + " and "
                        + codec.name());
            }
            byId[id] = codec;
        }
        this.legacy = legacy;
    }

    /**
     * The command in {@code entry}.
     *
     * @throws CorruptEntryException if the entry is empty, has an unknown codec id or format
     *         version, or its body is malformed, truncated or followed by trailing bytes
     */
    public Command decode(byte[] entry) {
        if (entry.length == 0) {
            throw CorruptEntryException.of("empty entry", entry, null);
        }
        if (EntryHeader.claimsHeader(entry)) {
            EntryHeader.checkMagicAndVersion(entry);
            EntryCodec codec = byId[entry[2] & 0xff];
            if (codec == null) {
                throw CorruptEntryException.of("unknown codec id " + (entry[2] & 0xff), entry, null);
            }
            return codec.decode(entry);
        }
        try {
            return legacy.decodeBody(entry, 0, entry.length);
        } catch (CorruptEntryException e) {
            // e's message already names the entry's length and first bytes
            throw new CorruptEntryException("entry has no header and is not a legacy kryo entry: " + e.getMessage(),
                    e);
        }
    }
}
