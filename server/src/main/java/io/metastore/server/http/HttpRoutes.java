package io.metastore.server.http;

import io.grpc.Metadata;
import io.metastore.server.grpc.Caller;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The requests one listener answers. {@link #open} is called on the connection's event loop
 * when a request's head has arrived; its body then reaches the returned {@link Exchange} piece
 * by piece, so a route can act on a streamed body (the gateway's watch) before it ends.
 */
public interface HttpRoutes {
    /**
     * The gRPC metadata a request's call carries: its {@code Authorization} header as etcd's
     * {@code token}, as etcd's gateway passes it; empty without one.
     */
    static Metadata callerMetadata(HttpRequest head) {
        Metadata md = new Metadata();
        String token = head.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (token != null && !token.isEmpty()) {
            md.put(Caller.TOKEN, token);
        }
        return md;
    }

    /** Starts answering {@code head}; the answer goes to {@code out}, from any thread. */
    Exchange open(HttpRequest head, HttpResponder out);

    /** One request's body as it arrives; every method runs on the connection's event loop. */
    interface Exchange {
        void body(byte[] chunk);

        /** The body is complete. */
        void end();

        /** The connection closed before the answer was complete. */
        default void abort() {
        }
    }

    /** An exchange that ignores the body: the answer does not depend on it. */
    Exchange IGNORE_BODY = new Exchange() {
        @Override
        public void body(byte[] chunk) {
        }

        @Override
        public void end() {
        }
    };

    /**
     * Collects the whole body (at most {@code limit} bytes) and hands it to {@code whole};
     * a larger body is answered with 413 and the connection closed.
     */
    static Exchange buffered(HttpResponder out, int limit, java.util.function.Consumer<byte[]> whole) {
        return new Exchange() {
            private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            private boolean tooLarge;

            @Override
            public void body(byte[] chunk) {
                if (tooLarge) {
                    return;
                }
                if (body.size() + chunk.length > limit) {
                    tooLarge = true;
                    // first: on the event loop the answer goes out at once, and must carry the close
                    out.closeAfterResponse();
                    out.text(io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "request body larger than " + limit + " bytes\n");
                    return;
                }
                body.writeBytes(chunk);
            }

            @Override
            public void end() {
                if (!tooLarge) {
                    whole.accept(body.toByteArray());
                }
            }
        };
    }
}
