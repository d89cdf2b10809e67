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
 */
final class Http1Handler extends ChannelDuplexHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http1Handler.class);
    private final HttpRoutes routes;
    private HttpRoutes.Exchange exchange;
    private HttpResponder responder;
    private boolean bodyDone;
    private boolean answered;

    Http1Handler(HttpRoutes routes) {
        this.routes = routes;
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
                        ctx.channel().config().setAutoRead(false);
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
