package io.metastore.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.metastore.server.error.EtcdError;

/**
 * {@code --max-requests-per-second}: every call takes a token from one bucket for the member;
 * without one it is answered at once with "etcdserver: too many requests" (RESOURCE_EXHAUSTED,
 * etcd's code for it), so overload is refused instead of queued. A stream takes one token when
 * it opens; its messages (watch creates, keep-alives) take none.
 */
final class RateLimit implements ServerInterceptor {
    private final TokenBucket bucket;

    RateLimit(TokenBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (bucket.tryTake()) {
            return next.startCall(call, headers);
        }
        return Refusals.refuse(call, EtcdError.TOO_MANY_REQUESTS);
    }
}
