package io.metastore.server.grpc;

import io.grpc.stub.StreamObserver;
import io.metastore.server.error.GrpcErrors;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** Completes a unary call from a future: the response, or the status the one error table maps the failure to. */
final class Answer {
    private Answer() {
    }

    static <T> void with(StreamObserver<T> observer, Supplier<CompletableFuture<T>> call) {
        with(observer, call, GrpcErrors::toStatus);
    }

    /** As {@link #with(StreamObserver, Supplier)}, with failures turned into a status by {@code status}. */
    static <T> void with(StreamObserver<T> observer, Supplier<CompletableFuture<T>> call,
                         Function<Throwable, ? extends RuntimeException> status) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            observer.onError(status.apply(e));
            return;
        }
        f.whenComplete((response, error) -> {
            if (error != null) {
                observer.onError(status.apply(error));
            } else {
                observer.onNext(response);
                observer.onCompleted();
            }
        });
    }
}
