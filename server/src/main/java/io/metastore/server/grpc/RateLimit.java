package io.metastore.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.metastore.server.error.EtcdError;

/**
 * {@code --max-requests-per-second}: every call takes a token from one bucket for the member;
 * without one it is answered at once with "etcdserver: too many requests" (RESOURCE_EXHAUSTED,
 * etcd's code for it), so overload is refused instead of queued. A stream takes one token when
 * it opens; its messages (watch creates, keep-alives) take none.
 */
final class RateLimit implements ServerInterceptor {
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private final TokenBucket bucket;

    RateLimit(TokenBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (bucket.tryTake()) {
            return next.startCall(call, headers);
        }
        EtcdError e = EtcdError.TOO_MANY_REQUESTS;
        call.close(Status.fromCode(e.code()).withDescription(e.message()), new Metadata());
        return (ServerCall.Listener<Q>) NOTHING;
    }
}
