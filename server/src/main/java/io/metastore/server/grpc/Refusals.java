package io.metastore.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;

/** Ending a call in an interceptor, before any handler sees it. */
final class Refusals {
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private Refusals() {
    }

    /** Closes {@code call} with etcd's {@code error} and returns a listener that ignores the rest of it. */
    @SuppressWarnings("unchecked")
    static <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, EtcdError error) {
        call.close(GrpcErrors.toStatus(error.exception()).getStatus(), new Metadata());
        return (ServerCall.Listener<Q>) NOTHING;
    }
}
