package io.metastore.server.grpc;

import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.concurrency.Concurrency;

/** etcd's {@code v3lockpb.Lock} service. */
final class LockService extends LockGrpc.LockImplBase {
    private final Concurrency concurrency;

    LockService(Concurrency concurrency) {
        this.concurrency = concurrency;
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
        Answer.with(observer, () -> concurrency.lock(request));
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
        Answer.with(observer, () -> concurrency.unlock(request));
    }
}
