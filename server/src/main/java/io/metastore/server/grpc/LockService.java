package io.metastore.server.grpc;

import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.concurrency.Concurrency;

/**
 * etcd's {@code v3lockpb.Lock} service. Failures answer as etcd's service answers them, through
 * its in-process client ({@link io.metastore.server.error.GrpcErrors#toStatusThroughClient}).
 */
final class LockService extends LockGrpc.LockImplBase {
    private final Concurrency concurrency;
    private final io.metastore.server.auth.Authorizer auth;

    LockService(Concurrency concurrency, io.metastore.server.auth.Authorizer auth) {
        this.concurrency = concurrency;
        this.auth = auth;
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
        Answer.with(observer, () -> {
            auth.namespace(Caller.user(), request.getName().toByteArray(), true);
            return concurrency.lock(request);
        }, io.metastore.server.error.GrpcErrors::toStatusThroughClient);
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
        Answer.with(observer, () -> {
            auth.deleteRange(Caller.user(), io.etcd.jetcd.api.DeleteRangeRequest.newBuilder().setKey(request.getKey()).build());
            return concurrency.unlock(request);
        }, io.metastore.server.error.GrpcErrors::toStatusThroughClient);
    }
}
