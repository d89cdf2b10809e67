package io.metastore.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;

/**
 * The answer to one request: either one whole response, or a chunked stream of pieces ended by
 * {@link #endStream}. Usable from any thread: every write is handed to the connection's event
 * loop, in call order. Whatever comes after the answer is complete is ignored.
 */
public final class HttpResponder {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    private final Channel channel;
    private final boolean keepAlive;
    private final Runnable done;
    private boolean closeAfter;
    private volatile boolean started;
    private boolean finished;

    HttpResponder(Channel channel, boolean keepAlive, Runnable done) {
        this.channel = channel;
        this.keepAlive = keepAlive;
        this.done = done;
    }

    /** Closes the connection once this answer is out (say, after refusing a body mid-way). */
    public void closeAfterResponse() {
        onLoop(() -> closeAfter = true);
    }

    /** A plain-text answer, as Go's {@code http.Error} writes one. */
    public void text(HttpResponseStatus status, String body) {
        respond(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
    }

    public void json(HttpResponseStatus status, String body) {
        respond(status, JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    /** One whole response with a Content-Length. */
    public void respond(HttpResponseStatus status, String contentType, byte[] body) {
        onLoop(() -> {
            if (started) {
                return;
            }
            started = true;
            finished = true;
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            if (contentType != null) {
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            if (status.code() >= 400 && TEXT.equals(contentType)) {
                r.headers().set("X-Content-Type-Options", "nosniff");
            }
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            finish(channel.writeAndFlush(withConnection(r)));
        });
    }

    /** Starts a chunked answer; pieces follow with {@link #chunk}. */
    public void startStream(HttpResponseStatus status, String contentType) {
        onLoop(() -> {
            if (started) {
                return;
            }
            started = true;
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            channel.writeAndFlush(withConnection(r));
        });
    }

    /** Whether a stream or a response has been started (a status line is out). */
    public boolean started() {
        return started;
    }

    /**
     * Sends one piece of a started stream; the future completes when it is written, so a
     * producer can wait for it before making the next (backpressure).
     */
    public ChannelFuture chunk(byte[] bytes) {
        ChannelPromise p = channel.newPromise();
        onLoop(() -> {
            if (!started || finished) {
                p.trySuccess();
                return;
            }
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)), p);
        });
        return p;
    }

    /** Ends a started stream. */
    public void endStream() {
        onLoop(() -> {
            if (!started || finished) {
                return;
            }
            finished = true;
            finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
        });
    }

    private HttpResponse withConnection(HttpResponse r) {
        if (!keepAlive || closeAfter) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    private void finish(ChannelFuture written) {
        if (!keepAlive || closeAfter) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        done.run();
    }

    private void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }
}
