package io.metastore.server.peer;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The protobuf messages members may send each other, and their framing on the gRPC peer
 * transport: the message type's full protobuf name (length-prefixed), then the message. Only
 * registered types are read (jraft registers its own through {@link PeerRpcFactory}); a name
 * nobody registered is refused, so no bytes from the network choose a class to load.
 */
final class PeerMessages implements MethodDescriptor.Marshaller<Object> {
    private final Map<String, Message> byName = new ConcurrentHashMap<>();
    private final Map<Class<?>, byte[]> nameBytes = new ConcurrentHashMap<>();

    private final Map<String, Message> byClassName = new ConcurrentHashMap<>();

    /** Makes {@code defaultInstance}'s type readable. */
    void register(Message defaultInstance) {
        String name = defaultInstance.getDescriptorForType().getFullName();
        byName.put(name, defaultInstance);
        byClassName.put(defaultInstance.getClass().getName(), defaultInstance);
        nameBytes.put(defaultInstance.getClass(), name.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a registered type named by its Java class name (as bolt names it). */
    Message parse(String className, byte[] bytes) throws IOException {
        Message type = byClassName.get(className);
        if (type == null) {
            throw new IOException("unknown peer message type " + className);
        }
        return type.getParserForType().parseFrom(bytes);
    }

    @Override
    public InputStream stream(Object value) {
        Message m = message(value);
        byte[] out = new byte[size(m)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        write(c, m);
        return new ByteArrayInputStream(out);
    }

    @Override
    public Object parse(InputStream stream) {
        CodedInputStream c = CodedInputStream.newInstance(stream);
        c.setSizeLimit(Integer.MAX_VALUE);
        return read(c);
    }

    static Message message(Object value) {
        if (!(value instanceof Message m)) {
            throw new IllegalArgumentException("the peer transport sends protobuf messages only, not "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        return m;
    }

    /** The bytes {@link #write} takes for {@code m}: its type's name, length-prefixed, then the message. */
    int size(Message m) {
        byte[] name = name(m);
        return CodedOutputStream.computeUInt32SizeNoTag(name.length) + name.length + m.getSerializedSize();
    }

    void write(CodedOutputStream c, Message m) {
        byte[] name = name(m);
        try {
            c.writeUInt32NoTag(name.length);
            c.writeRawBytes(name);
            m.writeTo(c);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("cannot frame " + m.getDescriptorForType().getFullName(), e);
        }
    }

    /** Reads what {@link #write} wrote, to the end of {@code c}. */
    Message read(CodedInputStream c) {
        try {
            int length = c.readUInt32();
            if (length <= 0 || length > 256) {
                throw Status.INVALID_ARGUMENT.withDescription("bad peer message type length " + length).asRuntimeException();
            }
            String name = new String(c.readRawBytes(length), StandardCharsets.UTF_8);
            Message type = byName.get(name);
            if (type == null) {
                throw Status.INVALID_ARGUMENT.withDescription("unknown peer message type " + name).asRuntimeException();
            }
            return type.getParserForType().parseFrom(c);
        } catch (IOException e) {
            throw Status.INVALID_ARGUMENT.withDescription("unreadable peer message: " + e.getMessage()).withCause(e)
                    .asRuntimeException();
        }
    }

    private byte[] name(Message m) {
        return nameBytes.computeIfAbsent(m.getClass(),
                k -> m.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8));
    }
}
