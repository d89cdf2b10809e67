package io.metastore.bench.macro.load;

import io.grpc.stub.StreamObserver;

import java.util.function.Consumer;

/** Adapts a unary call's {@link StreamObserver} to a {@link Completion}. */
final class Observers {
    private Observers() {
    }

    static <T> StreamObserver<T> completing(Completion done) {
        return completing(done, r -> { });
    }

    /** {@code onValue} sees the response before the completion fires; an exception there fails the request. */
    static <T> StreamObserver<T> completing(Completion done, Consumer<T> onValue) {
        return new StreamObserver<>() {
            private boolean seen;

            @Override
            public void onNext(T value) {
                seen = true;
                try {
                    onValue.accept(value);
                } catch (RuntimeException e) {
                    seen = false;
                    done.failed(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.failed(t);
            }

            @Override
            public void onCompleted() {
                if (seen) {
                    done.succeeded();
                }
            }
        };
    }
}
