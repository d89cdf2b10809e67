package io.metastore.server.peer;

import io.grpc.MethodDescriptor;

/**
 * The peer transport's two gRPC methods: {@code Call}, a unary call carrying any registered message
 * each way; {@code Stream}, a long-lived bidirectional call carrying many requests and their
 * answers as {@link PeerFrame}s. A member serves both; its {@code --peer-stream} chooses which it calls.
 */
final class PeerService {
    static final String NAME = "metastore.peer.Raft";

    private PeerService() {
    }

    static MethodDescriptor<Object, Object> call(PeerMessages messages) {
        return MethodDescriptor.newBuilder(messages, messages)
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, "Call"))
                .build();
    }

    static MethodDescriptor<PeerFrame, PeerFrame> stream(PeerMessages messages) {
        PeerFrame.Marshaller frames = new PeerFrame.Marshaller(messages);
        return MethodDescriptor.newBuilder(frames, frames)
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, "Stream"))
                .build();
    }
}
