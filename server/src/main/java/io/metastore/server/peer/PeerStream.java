package io.metastore.server.peer;

import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.rpc.InvokeCallback;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The calling side of the peer streams to one peer ({@code --peer-stream true}): every request is
 * a frame of one long-lived bidirectional call, answered by a frame of the same id, instead of a
 * unary call (an HTTP/2 stream opened, its headers and trailers coded, per request). Requests go
 * out in the order they are sent. Each waits for its answer up to its own timeout, and fails when
 * the stream ends; the next request then opens a new stream.
 *
 * <p>Thread safety: any thread may {@link #send}; sends and the stream's end are ordered by the
 * lock of the current {@link Call}.
 */
final class PeerStream {
    private final String peer;
    private final ManagedChannel channel;
    private final MethodDescriptor<PeerFrame, PeerFrame> method;
    private final ScheduledExecutorService timeouts;
    private Call current;

    PeerStream(String peer, ManagedChannel channel, MethodDescriptor<PeerFrame, PeerFrame> method,
               ScheduledExecutorService timeouts) {
        this.peer = peer;
        this.channel = channel;
        this.method = method;
        this.timeouts = timeouts;
    }

    /** Sends {@code request}; {@code callback} gets the answer, or the failure, on {@code executor} (the transport thread when null). */
    void send(Object request, InvokeCallback callback, Executor executor, long timeoutMs) {
        Call c;
        synchronized (this) {
            c = current;
            if (c == null || c.ended) {
                c = current = new Call();
            }
        }
        c.send(request, new Pending(callback, executor), timeoutMs);
    }

    /** Ends the stream; what waits on it fails. */
    synchronized void close() {
        if (current != null) {
            current.call.cancel("closed", null);
        }
    }

    /** A request waiting for its answer. */
    private static final class Pending {
        final InvokeCallback callback;
        final Executor executor;
        volatile ScheduledFuture<?> timeout;

        Pending(InvokeCallback callback, Executor executor) {
            this.callback = callback;
            this.executor = executor;
        }

        void complete(Object answer, Throwable failure) {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            if (executor == null) {
                callback.complete(answer, failure);
                return;
            }
            try {
                executor.execute(() -> callback.complete(answer, failure));
            } catch (RejectedExecutionException e) {
                callback.complete(answer, failure);
            }
        }
    }

    /** One bidirectional call and the requests sent on it that wait for an answer. */
    private final class Call extends ClientCall.Listener<PeerFrame> {
        final ClientCall<PeerFrame, PeerFrame> call;
        final Map<Long, Pending> waiting = new ConcurrentHashMap<>();
        long nextId;
        boolean ended;

        Call() {
            // not wait-for-ready: the stream is used only while the channel is connected, and fails at once otherwise;
            // under the root context, so that no caller's cancellation ends it
            Context previous = Context.ROOT.attach();
            try {
                call = channel.newCall(method, CallOptions.DEFAULT);
                call.start(this, new Metadata());
                call.request(Integer.MAX_VALUE);
            } finally {
                Context.ROOT.detach(previous);
            }
        }

        void send(Object request, Pending pending, long timeoutMs) {
            RemotingException failure = null;
            synchronized (this) {
                if (ended) {
                    failure = new RemotingException(peer + ": the peer stream ended");
                } else {
                    long id = ++nextId;
                    waiting.put(id, pending);
                    long wait = timeoutMs > 0 ? timeoutMs : 5000;
                    pending.timeout = timeouts.schedule(() -> expire(id, wait), wait, TimeUnit.MILLISECONDS);
                    try {
                        call.sendMessage(PeerFrame.of(id, request));
                    } catch (RuntimeException e) {
                        waiting.remove(id);
                        failure = new RemotingException("cannot send to " + peer + ": " + e.getMessage(), e);
                    }
                }
            }
            if (failure != null) {
                pending.complete(null, failure);
            }
        }

        private void expire(long id, long timeoutMs) {
            Pending p = waiting.remove(id);
            if (p != null) {
                p.complete(null, new InvokeTimeoutException("no answer from " + peer + " within " + timeoutMs + " ms"));
            }
        }

        @Override
        public void onMessage(PeerFrame frame) {
            Pending p = waiting.remove(frame.id());
            if (p == null) {
                return; // timed out already
            }
            if (frame.failure() == null) {
                p.complete(frame.message(), null);
            } else {
                Status s = frame.failure();
                p.complete(null, new RemotingException(peer + ": " + s.getCode()
                        + (s.getDescription() == null ? "" : " " + s.getDescription())));
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            synchronized (this) {
                ended = true;
            }
            RemotingException failure = new RemotingException(peer + ": the peer stream ended: " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription()), status.asRuntimeException());
            for (Long id : waiting.keySet()) {
                Pending p = waiting.remove(id);
                if (p != null) {
                    p.complete(null, failure);
                }
            }
        }
    }
}
