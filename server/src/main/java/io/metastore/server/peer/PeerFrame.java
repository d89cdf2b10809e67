package io.metastore.server.peer;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * One message of a peer stream ({@code --peer-stream}): a request, or the answer to the request
 * of the same id on the same stream, which is either a message or a failure.
 *
 * <pre>
 *   request / answer:  varint id | 0x00 | {@link PeerMessages} framing (type name, message)
 *   failure:           varint id | 0x01 | varint gRPC status code | length-prefixed UTF-8 description
 * </pre>
 *
 * @param id      chosen by the caller, unique among its unanswered requests on the stream
 * @param message the request or answer, {@code null} for a failure
 * @param failure why the request failed, {@code null} otherwise
 */
record PeerFrame(long id, Message message, Status failure) {
    private static final byte MESSAGE = 0;
    private static final byte FAILURE = 1;

    static PeerFrame of(long id, Object message) {
        return new PeerFrame(id, PeerMessages.message(message), null);
    }

    static PeerFrame failed(long id, Status failure) {
        return new PeerFrame(id, null, failure);
    }

    /** Reads and writes frames, the messages in them as {@code messages} frames them. */
    static final class Marshaller implements MethodDescriptor.Marshaller<PeerFrame> {
        private final PeerMessages messages;

        Marshaller(PeerMessages messages) {
            this.messages = messages;
        }

        @Override
        public InputStream stream(PeerFrame frame) {
            String description = frame.message == null ? String.valueOf(frame.failure.getDescription()) : null;
            int size = CodedOutputStream.computeUInt64SizeNoTag(frame.id) + 1 + (frame.message != null
                    ? messages.size(frame.message)
                    : CodedOutputStream.computeUInt32SizeNoTag(frame.failure.getCode().value())
                            + CodedOutputStream.computeStringSizeNoTag(description));
            byte[] out = new byte[size];
            CodedOutputStream c = CodedOutputStream.newInstance(out);
            try {
                c.writeUInt64NoTag(frame.id);
                if (frame.message != null) {
                    c.writeRawByte(MESSAGE);
                    messages.write(c, frame.message);
                } else {
                    c.writeRawByte(FAILURE);
                    c.writeUInt32NoTag(frame.failure.getCode().value());
                    c.writeStringNoTag(description);
                    c.checkNoSpaceLeft();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot frame a peer message", e);
            }
            return new ByteArrayInputStream(out);
        }

        @Override
        public PeerFrame parse(InputStream stream) {
            CodedInputStream c = CodedInputStream.newInstance(stream);
            c.setSizeLimit(Integer.MAX_VALUE);
            try {
                long id = c.readUInt64();
                byte kind = c.readRawByte();
                if (kind == MESSAGE) {
                    return new PeerFrame(id, messages.read(c), null);
                }
                if (kind == FAILURE) {
                    Status status = Status.fromCodeValue(c.readUInt32());
                    String description = c.readString();
                    return new PeerFrame(id, null, status.withDescription(description));
                }
                throw Status.INVALID_ARGUMENT.withDescription("bad peer frame kind " + kind).asRuntimeException();
            } catch (IOException e) {
                throw Status.INVALID_ARGUMENT.withDescription("unreadable peer frame: " + e.getMessage()).withCause(e)
                        .asRuntimeException();
            }
        }
    }
}
