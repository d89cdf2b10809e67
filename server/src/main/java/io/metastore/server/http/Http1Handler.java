package io.metastore.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One HTTP/1.1 connection: hands each request to the {@link HttpRoutes}, one at a time. While
 * an answer is pending after its request has been read whole, the connection stops reading, so
 * pipelined requests are answered in order; a streamed request body keeps flowing until its end.
 *
 * <p>Anything other than HTTP written to the channel from outside (the gRPC server's close
 * commands reach a client-port connection that way) is dropped: these connections are closed
 * by their listener instead.
 *
 * <p>A request must arrive whole (request line, headers and body) within the request timeout,
 * counted from the connection's opening or from the end of the previous answer; otherwise the
 * connection is closed. Without it a client dripping bytes, or opening connections and sending
 * nothing, holds a descriptor for ever (slow-loris). A long answer, such as a watch stream, is
 * not limited: its request is complete, and the clock starts again only when the answer ends.
 */
final class Http1Handler extends ChannelDuplexHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http1Handler.class);
    private final HttpRoutes routes;
    private HttpRoutes.Exchange exchange;
    private HttpResponder responder;
    private boolean bodyDone;
    private boolean answered;
    private final long requestTimeoutNanos;
    /** The pending close of a connection whose request is not whole yet; null while none is armed. */
    private java.util.concurrent.ScheduledFuture<?> requestDeadline;

    /** @param requestTimeoutMs how long a whole request may take to arrive (0: no limit) */
    Http1Handler(HttpRoutes routes, int requestTimeoutMs) {
        this.routes = routes;
        this.requestTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        armRequestDeadline(ctx); // waiting for the first request
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarmRequestDeadline();
    }

    /** Starts the clock for the next request to arrive whole; runs on the event loop. */
    private void armRequestDeadline(ChannelHandlerContext ctx) {
        disarmRequestDeadline();
        if (requestTimeoutNanos > 0 && ctx.channel().isOpen()) {
            requestDeadline = ctx.executor().schedule(() -> {
                requestDeadline = null;
                LOG.debug("HTTP connection from {} sent no whole request in time; closing it", ctx.channel().remoteAddress());
                ctx.close();
            }, requestTimeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void disarmRequestDeadline() {
        if (requestDeadline != null) {
            requestDeadline.cancel(false);
            requestDeadline = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req) {
                start(ctx, req);
            }
            if (msg instanceof HttpContent content && exchange != null && !bodyDone) {
                ByteBuf buf = content.content();
                if (buf.isReadable()) {
                    exchange.body(ByteBufUtil.getBytes(buf));
                }
                if (msg instanceof LastHttpContent) {
                    bodyDone = true;
                    if (!answered) {
                        disarmRequestDeadline(); // the request is whole; its answer may take as long as it takes
                        ctx.channel().config().setAutoRead(false);
                    } else {
                        armRequestDeadline(ctx); // answered early; now the next request's turn
                    }
                    exchange.end();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            exchange = null;
            return;
        }
        if (HttpUtil.is100ContinueExpected(req)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        bodyDone = false;
        answered = false;
        HttpResponder[] self = new HttpResponder[1];
        self[0] = new HttpResponder(ctx.channel(), HttpUtil.isKeepAlive(req), () -> answered(ctx, self[0]));
        responder = self[0];
        exchange = routes.open(req, responder);
    }

    /** Runs on the event loop when the current answer has been written whole. */
    private void answered(ChannelHandlerContext ctx, HttpResponder which) {
        if (which != responder) {
            return;
        }
        answered = true;
        if (bodyDone) {
            armRequestDeadline(ctx); // the next request on this keep-alive connection
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpObject || msg instanceof ByteBuf) {
            ctx.write(msg, promise);
        } else {
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarmRequestDeadline();
        if (exchange != null && !answered) {
            exchange.abort();
        }
        exchange = null;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException) {
            // over TLS: a plaintext client, a refused certificate, a broken record; the client's business
            LOG.debug("TLS on the HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.getCause().toString());
        } else if (!(cause instanceof java.io.IOException)) {
            LOG.warn("HTTP connection from {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
