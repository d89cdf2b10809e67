package io.metastore.server.http;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.InternalChannelz;
import io.grpc.SecurityLevel;
import io.grpc.ServerCredentials;
import io.grpc.internal.GrpcAttributes;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.InternalWriteBufferingAndExceptionHandlerUtils;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;

import javax.net.ssl.SSLSession;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One socket for gRPC and HTTP/1.1, as etcd's client port serves both (etcd splits them with
 * cmux). The gRPC server is built with {@link #credentials()}: a protocol negotiator that wraps
 * grpc-netty's own (plaintext) negotiator and first looks at what the client sends.
 *
 * <pre>
 *   accept ─► [TLS, when configured: ALPN offers http/1.1, then h2] ─► sniff the first bytes
 *       "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (the HTTP/2 client preface)
 *           ─► grpc-netty's negotiator, then its HTTP/2 handler; the sniffer leaves the pipeline
 *       anything else
 *           ─► HttpServerCodec ─► {@link Http1Handler} with the client port's {@link HttpRoutes}
 * </pre>
 *
 * The sniffer holds back grpc-netty's negotiation event until it has decided, then replays it
 * and the bytes read so far; a gRPC connection's pipeline afterwards is exactly the one
 * grpc-netty builds without it, so the gRPC path costs nothing per message. gRPC clients offer
 * only h2 in ALPN; general HTTP clients offering both get http/1.1, because this port speaks
 * HTTP (not gRPC) only over HTTP/1.1.
 *
 * <p>An HTTP connection is not a gRPC transport, but grpc-netty counts it as one: the close
 * commands the gRPC server writes to it are dropped ({@link Http1Handler}), and
 * {@link #close()} — called before the gRPC server stops — ends the HTTP connections itself.
 */
public final class ClientPort implements AutoCloseable {
    private static final AsciiString HTTPS = AsciiString.of("https");
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final SslContext tls;
    private final ChannelGroup httpChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile HttpRoutes routes;

    private final int requestTimeoutMs;

    /**
     * @param tls              the server's TLS context (ALPN http/1.1 and h2), or {@code null} for plaintext
     * @param requestTimeoutMs how long an HTTP/1.1 connection may take to send a whole request (0: no limit)
     */
    public ClientPort(SslContext tls, int requestTimeoutMs) {
        this.tls = tls;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** The HTTP routes; set before the gRPC server starts taking connections. */
    public void serve(HttpRoutes routes) {
        this.routes = routes;
    }

    /** Credentials for the gRPC server's {@code NettyServerBuilder}. */
    public ServerCredentials credentials() {
        return InternalNettyServerCredentials.create(new Negotiator(InternalProtocolNegotiators.serverPlaintext()));
    }

    /** Closes the HTTP connections (the gRPC server ends its own); an answer still being written is cut short. */
    @Override
    public void close() {
        httpChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Negotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
        private final InternalProtocolNegotiator.ProtocolNegotiator grpc;

        Negotiator(InternalProtocolNegotiator.ProtocolNegotiator grpc) {
            this.grpc = grpc;
        }

        @Override
        public AsciiString scheme() {
            return tls == null ? grpc.scheme() : HTTPS;
        }

        @Override
        public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
            if (tls == null) {
                return new Sniffer(grpc.newHandler(grpcHandler));
            }
            // grpc-netty's plaintext negotiator is waitUntilActive(grpcNegotiation); its TLS one puts its
            // TLS handler between the two, and so does this, with the handshake already done in front
            Sniffer sniffer = new Sniffer(InternalProtocolNegotiators.waitUntilActiveHandler(
                    new TlsSession(InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler)),
                    grpcHandler.getNegotiationLogger()));
            return new ChannelHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    ChannelPipeline p = ctx.pipeline();
                    p.addAfter(ctx.name(), null, sniffer);
                    p.addAfter(ctx.name(), null, tls.newHandler(ctx.alloc()));
                    p.remove(this);
                }
            };
        }

        @Override
        public void close() {
            grpc.close();
        }
    }

    /**
     * Tells gRPC about the TLS session, as grpc-netty's own TLS negotiator does: calls then see
     * {@code Grpc.TRANSPORT_ATTR_SSL_SESSION} (with the client's certificate) and
     * privacy-and-integrity, which the plaintext negotiator's first step has set to none.
     */
    private static final class TlsSession extends ChannelInboundHandlerAdapter {
        private final ChannelHandler next;

        TlsSession(ChannelHandler next) {
            this.next = next;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof ProtocolNegotiationEvent e)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            Attributes attrs = InternalProtocolNegotiationEvent.getAttributes(e).toBuilder()
                    .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session)
                    .set(GrpcAttributes.ATTR_SECURITY_LEVEL, SecurityLevel.PRIVACY_AND_INTEGRITY)
                    .build();
            ProtocolNegotiationEvent withTls = InternalProtocolNegotiationEvent.withSecurity(
                    InternalProtocolNegotiationEvent.withAttributes(e, attrs),
                    new InternalChannelz.Security(new InternalChannelz.Tls(session)));
            ctx.pipeline().replace(this, null, next);
            ctx.fireUserEventTriggered(withTls);
        }
    }

    /** Decides per connection between gRPC and HTTP/1.1 from the first bytes the client sends. */
    private final class Sniffer extends ChannelInboundHandlerAdapter {
        private final ChannelHandler grpcNegotiation;
        private Object negotiationEvent;
        private ByteBuf seen;

        Sniffer(ChannelHandler grpcNegotiation) {
            this.grpcNegotiation = grpcNegotiation;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (InternalProtocolNegotiationEvent.getDefault().getClass().isInstance(evt)) {
                negotiationEvent = evt; // replayed to gRPC's negotiator once the client turns out to speak HTTP/2
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (seen == null) {
                seen = ctx.alloc().buffer(H2_PREFACE.length);
            }
            seen.writeBytes(in);
            in.release();
            int n = Math.min(seen.readableBytes(), H2_PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (seen.getByte(seen.readerIndex() + i) != H2_PREFACE[i]) {
                    toHttp1(ctx);
                    return;
                }
            }
            if (n == H2_PREFACE.length) {
                toGrpc(ctx);
            }
            // else: a prefix of the preface so far; wait for more
        }

        private void toGrpc(ChannelHandlerContext ctx) {
            ChannelPipeline p = ctx.pipeline();
            p.addAfter(ctx.name(), null, grpcNegotiation);
            if (negotiationEvent != null) {
                ctx.fireUserEventTriggered(negotiationEvent);
            }
            ByteBuf bytes = seen;
            seen = null;
            ctx.fireChannelRead(bytes);
            p.remove(this);
        }

        private void toHttp1(ChannelHandlerContext ctx) {
            HttpRoutes r = routes;
            Channel ch = ctx.channel();
            if (r == null) {
                ch.close();
                return;
            }
            // grpc-netty's write buffer waits for a negotiation that will not happen here
            InternalWriteBufferingAndExceptionHandlerUtils.writeBufferingAndRemove(ch);
            ChannelPipeline p = ctx.pipeline();
            p.addAfter(ctx.name(), null, new Http1Handler(r, requestTimeoutMs));
            p.addAfter(ctx.name(), null, new HttpServerCodec());
            httpChannels.add(ch);
            ByteBuf bytes = seen;
            seen = null;
            ctx.fireChannelRead(bytes);
            p.remove(this);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (seen != null) {
                seen.release();
                seen = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
