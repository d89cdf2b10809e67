package io.metastore.bench.macro.load;

import io.grpc.stub.StreamObserver;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** Adapts a call's {@link StreamObserver} to a {@link Completion}, or to counters of failures. */
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

    /** Hands every response to {@code onValue}; a failure is counted in {@code errors}, the first kept as text. */
    static <T> StreamObserver<T> counting(Consumer<T> onValue, LongAdder errors, AtomicReference<String> firstError) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                onValue.accept(value);
            }

            @Override
            public void onError(Throwable t) {
                errors.increment();
                firstError.compareAndSet(null, String.valueOf(t));
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
