package io.metastore.server.watch;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** One Watch RPC through etcd's raw stub: requests go out as given, every response is kept in order. */
final class RawWatch implements AutoCloseable {
    static final long WAIT_SECONDS = 20;
    private static final Object COMPLETED = new Object();

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final ClientCallStreamObserver<WatchRequest> requests;

    /** With {@code manualFlow} the client reads only what {@link #request} allows, like a slow consumer. */
    RawWatch(Channel channel, boolean manualFlow) {
        ClientCallStreamObserver<WatchRequest>[] call = new ClientCallStreamObserver[1];
        WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
                call[0] = r;
                if (manualFlow) {
                    r.disableAutoRequestWithInitial(0);
                }
            }

            @Override
            public void onNext(WatchResponse r) {
                received.add(r);
            }

            @Override
            public void onError(Throwable t) {
                received.add(t);
            }

            @Override
            public void onCompleted() {
                received.add(COMPLETED);
            }
        });
        this.requests = call[0];
    }

    RawWatch(Channel channel) {
        this(channel, false);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static WatchCreateRequest.Builder on(String key) {
        return WatchCreateRequest.newBuilder().setKey(bs(key));
    }

    /**
     * Sets etcd 3.4's {@code watch_id} (7) and {@code fragment} (8), which the stubs predate, the
     * way a newer client's message carries them.
     */
    static WatchCreateRequest.Builder withNewerFields(WatchCreateRequest.Builder b, long watchId, boolean fragment) {
        UnknownFieldSet.Builder u = UnknownFieldSet.newBuilder();
        if (watchId != 0) {
            u.addField(7, UnknownFieldSet.Field.newBuilder().addVarint(watchId).build());
        }
        if (fragment) {
            u.addField(8, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
        }
        return b.setUnknownFields(u.build());
    }

    void send(WatchCreateRequest.Builder create) {
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
    }

    /** Creates a watcher and returns its id, after checking the "created" answer. */
    long create(WatchCreateRequest.Builder create) {
        send(create);
        WatchResponse r = next();
        assertTrue(r.getCreated(), () -> "expected created, got " + r);
        assertEquals(false, r.getCanceled(), () -> "refused: " + r);
        return r.getWatchId();
    }

    void cancel(long id) {
        requests.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id))
                .build());
    }

    void progress() {
        requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance())
                .build());
    }

    /** Sends an empty request (no create, cancel or progress). */
    void sendEmpty() {
        requests.onNext(WatchRequest.getDefaultInstance());
    }

    void halfClose() {
        requests.onCompleted();
    }

    void request(int n) {
        requests.request(n);
    }

    /** The next response; fails when the stream ends or nothing arrives in time. */
    WatchResponse next() {
        Object o = poll();
        if (o instanceof WatchResponse r) {
            return r;
        }
        return fail("expected a response, got " + (o == COMPLETED ? "completion" : o));
    }

    /** The next response that carries events (progress notifications in between are skipped). */
    WatchResponse nextEvents() {
        for (;;) {
            WatchResponse r = next();
            if (r.getEventsCount() > 0) {
                return r;
            }
        }
    }

    /**
     * Checks that nothing was sent before the answer to a progress request: the server handles a
     * stream's requests in order, so this proves an earlier request got no answer.
     */
    void assertNothingBeforeProgressAnswer() {
        progress();
        WatchResponse r = next();
        assertEquals(-1, r.getWatchId(), () -> "expected the progress answer first, got " + r);
    }

    Throwable nextError() {
        Object o = poll();
        if (o instanceof Throwable t) {
            return t;
        }
        return fail("expected an error, got " + o);
    }

    /** Checks that neither a response nor the end of the stream arrives within {@code millis}. */
    void assertNothingWithin(long millis) {
        try {
            Object o = received.poll(millis, TimeUnit.MILLISECONDS);
            if (o != null) {
                fail("expected nothing, got " + (o == COMPLETED ? "completion" : o));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Object poll() {
        try {
            Object o = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (o == null) {
                fail("nothing received within " + WAIT_SECONDS + " s");
            }
            return o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        requests.cancel("test done", null);
    }
}
