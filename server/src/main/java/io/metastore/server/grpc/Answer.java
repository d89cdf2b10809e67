package io.metastore.server.grpc;

import io.grpc.stub.StreamObserver;
import io.metastore.server.error.GrpcErrors;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Completes a unary call from a future: the response, or the status the one error table maps the failure to. */
final class Answer {
    private Answer() {
    }

    static <T> void with(StreamObserver<T> observer, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        f.whenComplete((response, error) -> {
            if (error != null) {
                observer.onError(GrpcErrors.toStatus(error));
            } else {
                observer.onNext(response);
                observer.onCompleted();
            }
        });
    }
}
