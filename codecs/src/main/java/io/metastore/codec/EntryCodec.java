package io.metastore.codec;

import io.metastore.command.Command;

/**
 * Turns a {@link Command} into the bytes of one Raft log entry and back. An entry is an
 * {@link EntryHeader} followed by the codec's body. Implementations are thread-safe: many
 * proposer threads encode at once while the apply thread decodes.
 */
public interface EntryCodec {

    /** The codec's configuration name: {@code json}, {@code kryo} or {@code protobuf}. */
    String name();

    /** The codec id written in byte 2 of the header. */
    byte id();

    /** The complete entry, header included. */
    byte[] encode(Command command);

    /**
     * Decodes an entry written by this codec, header included.
     *
     * @throws CorruptEntryException if the header is not this codec's or the body is malformed,
     *         truncated or has trailing bytes
     */
    Command decode(byte[] entry);
}
