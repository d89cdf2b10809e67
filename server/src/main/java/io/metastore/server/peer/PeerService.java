package io.metastore.server.peer;

import io.grpc.MethodDescriptor;

/** The one gRPC method of the peer transport: a unary call carrying any registered message each way. */
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
}
