package io.metastore.server.peer;

import com.alipay.sofa.jraft.rpc.Connection;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcRequests;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * jraft's RPC server on gRPC: listens on this member's own peer address (not every interface),
 * with mutual TLS when the member has a peer certificate. Requests are read on the transport
 * thread, in the order they arrived, and handed to the processor's executor (AppendEntries to the
 * one its selector picks for the sending peer, so a pipeline's entries stay in order). Requests
 * come as unary calls or as the frames of a peer stream, answered the same way they came.
 */
final class GrpcPeerServer implements RpcServer {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcPeerServer.class);
    private static final Attributes.Key<PeerConnection> CONNECTION = Attributes.Key.create("metastore.peer.connection");

    private final InetSocketAddress address;
    private final SslContext ssl;
    private final io.netty.channel.EventLoopGroup eventLoops;
    private final MethodDescriptor<Object, Object> method;
    private final MethodDescriptor<PeerFrame, PeerFrame> stream;
    private final Map<String, RpcProcessor<?>> processors = new ConcurrentHashMap<>();
    private final List<ConnectionClosedEventListener> closedListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService defaultExecutor;
    private final boolean appendOnTransport;
    private volatile Server server;

    /**
     * @param eventLoops        the event loops that accept and serve connections, {@code null} for gRPC's default ones
     * @param appendOnTransport AppendEntries (and heartbeats) run on the transport thread that read them, in the
     *                          order they came, rather than on the executor jraft's processor picks for the peer
     */
    GrpcPeerServer(InetSocketAddress address, SslContext ssl, PeerMessages messages, ExecutorService defaultExecutor,
                   io.netty.channel.EventLoopGroup eventLoops, boolean appendOnTransport) {
        this.appendOnTransport = appendOnTransport;
        this.address = address;
        this.eventLoops = eventLoops;
        this.ssl = ssl;
        this.method = PeerService.call(messages);
        this.stream = PeerService.stream(messages);
        this.defaultExecutor = defaultExecutor;
    }

    @Override
    public synchronized boolean init(Void ignored) {
        if (server != null) {
            return true;
        }
        NettyServerBuilder b = NettyServerBuilder.forAddress(address)
                .directExecutor()
                .flowControlWindow(PeerTransport.FLOW_CONTROL_WINDOW)
                .maxInboundMessageSize(PeerTransport.MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addTransportFilter(new Connections())
                .addService(ServerServiceDefinition.builder(PeerService.NAME).addMethod(method, new Handler())
                        .addMethod(stream, new StreamHandler()).build());
        if (eventLoops != null) {
            b.bossEventLoopGroup(eventLoops).workerEventLoopGroup(eventLoops)
                    .channelType(io.netty.channel.socket.nio.NioServerSocketChannel.class);
        }
        if (ssl != null) {
            b.sslContext(ssl);
        }
        Server s = b.build();
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for Raft on " + address + ": " + e.getMessage(), e);
        }
        server = s;
        return true;
    }

    @Override
    public synchronized void shutdown() {
        Server s = server;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
        defaultExecutor.shutdown();
    }

    @Override
    public void registerConnectionClosedEventListener(ConnectionClosedEventListener listener) {
        closedListeners.add(listener);
    }

    @Override
    public void registerProcessor(RpcProcessor<?> processor) {
        processors.put(processor.interest(), processor);
    }

    @Override
    public int boundPort() {
        Server s = server;
        return s == null ? address.getPort() : s.getPort();
    }

    /** Runs one request with its processor; it is answered through {@code reply} when the processor sends its response. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void dispatch(ServerCall<?, ?> call, Object request, Reply reply) {
        String type = request.getClass().getName();
        RpcProcessor processor = processors.get(type);
        if (processor == null) {
            reply.fail(Status.UNIMPLEMENTED.withDescription("no processor for " + type));
            return;
        }
        PeerConnection connection = call.getAttributes().get(CONNECTION);
        Context ctx = new Context(reply, connection);
        if (appendOnTransport && request instanceof RpcRequests.AppendEntriesRequest) {
            run(processor, ctx, request, type);
            return;
        }
        Executor executor = null;
        RpcProcessor.ExecutorSelector selector = processor.executorSelector();
        if (selector != null && request instanceof RpcRequests.AppendEntriesRequest r) {
            executor = selector.select(type, RpcRequests.AppendEntriesRequestHeader.newBuilder()
                    .setGroupId(r.getGroupId()).setPeerId(r.getPeerId()).setServerId(r.getServerId()).build());
        }
        if (executor == null) {
            executor = processor.executor();
        }
        if (executor == null) {
            executor = defaultExecutor;
        }
        try {
            executor.execute(() -> run(processor, ctx, request, type));
        } catch (RejectedExecutionException e) {
            ctx.fail(Status.RESOURCE_EXHAUSTED.withDescription("peer request queue is full"));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void run(RpcProcessor processor, Context ctx, Object request, String type) {
        try {
            processor.handleRequest(ctx, request);
        } catch (RuntimeException e) {
            LOG.warn("peer request {} failed: {}", type, e.toString());
            ctx.fail(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())));
        }
    }

    /** How a request's answer or failure goes back: on its own unary call, or as a frame of its stream. */
    private interface Reply {
        void send(Object response);

        void fail(Status status);
    }

    /** A unary call's answer: the response, then the call's end. */
    private record UnaryReply(ServerCall<Object, Object> call) implements Reply {
        @Override
        public void send(Object response) {
            try {
                call.sendHeaders(new Metadata());
                call.sendMessage(response);
                call.close(Status.OK, new Metadata());
            } catch (RuntimeException e) {
                // the caller gave up (deadline, lost connection) or the answer cannot be framed
                LOG.debug("cannot answer a peer request: {}", e.toString());
                fail(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())));
            }
        }

        @Override
        public void fail(Status status) {
            try {
                call.close(status, new Metadata());
            } catch (RuntimeException closed) {
                // already closed
            }
        }
    }

    /** Serves a peer stream: each frame is a request, answered by a frame of the same id; the stream stays open. */
    private final class StreamHandler implements ServerCallHandler<PeerFrame, PeerFrame> {
        @Override
        public ServerCall.Listener<PeerFrame> startCall(ServerCall<PeerFrame, PeerFrame> call, Metadata headers) {
            call.sendHeaders(new Metadata());
            call.request(Integer.MAX_VALUE);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(PeerFrame frame) {
                    if (frame.message() == null) {
                        answer(call, PeerFrame.failed(frame.id(), Status.INVALID_ARGUMENT.withDescription("a failure is no request")));
                        return;
                    }
                    dispatch(call, frame.message(), new Reply() {
                        @Override
                        public void send(Object response) {
                            try {
                                answer(call, PeerFrame.of(frame.id(), response));
                            } catch (RuntimeException e) {
                                fail(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())));
                            }
                        }

                        @Override
                        public void fail(Status status) {
                            answer(call, PeerFrame.failed(frame.id(), status));
                        }
                    });
                }

                @Override
                public void onHalfClose() {
                    synchronized (call) {
                        try {
                            call.close(Status.OK, new Metadata());
                        } catch (RuntimeException closed) {
                            // already closed
                        }
                    }
                }
            };
        }

        /** Answers are sent from many threads; a call takes one message at a time. */
        private void answer(ServerCall<PeerFrame, PeerFrame> call, PeerFrame frame) {
            synchronized (call) {
                try {
                    call.sendMessage(frame);
                } catch (IllegalStateException closed) {
                    // the stream ended (its peer went away): the caller fails what it sent on it
                    LOG.debug("cannot answer on a closed peer stream: {}", closed.toString());
                }
            }
        }
    }

    private final class Handler implements ServerCallHandler<Object, Object> {
        @Override
        public ServerCall.Listener<Object> startCall(ServerCall<Object, Object> call, Metadata headers) {
            call.request(2);
            return new ServerCall.Listener<>() {
                private Object request;

                @Override
                public void onMessage(Object message) {
                    if (request != null) {
                        call.close(Status.INVALID_ARGUMENT.withDescription("one request per call"), new Metadata());
                        return;
                    }
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    if (request == null) {
                        call.close(Status.INVALID_ARGUMENT.withDescription("no request"), new Metadata());
                    } else {
                        dispatch(call, request, new UnaryReply(call));
                    }
                }
            };
        }
    }

    /** A request's context: its answer goes back once. */
    private static final class Context implements RpcContext {
        private final Reply reply;
        private final PeerConnection connection;
        private boolean answered;

        Context(Reply reply, PeerConnection connection) {
            this.reply = reply;
            this.connection = connection;
        }

        @Override
        public synchronized void sendResponse(Object response) {
            if (!answered) {
                answered = true;
                reply.send(response);
            }
        }

        synchronized void fail(Status status) {
            if (!answered) {
                answered = true;
                reply.fail(status);
            }
        }

        @Override
        public Connection getConnection() {
            return connection;
        }

        @Override
        public String getRemoteAddress() {
            return connection == null ? null : connection.remoteAddress();
        }
    }

    /** One {@link PeerConnection} per transport (TCP connection), told to jraft's listeners when it ends. */
    private final class Connections extends ServerTransportFilter {
        @Override
        public Attributes transportReady(Attributes attributes) {
            Object remote = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            PeerConnection c = new PeerConnection(remote instanceof InetSocketAddress a
                    ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(remote), this::closed);
            return attributes.toBuilder().set(CONNECTION, c).build();
        }

        @Override
        public void transportTerminated(Attributes attributes) {
            // null for a connection that never became a transport (its TLS handshake failed)
            PeerConnection c = attributes == null ? null : attributes.get(CONNECTION);
            if (c != null) {
                closed(c);
            }
        }

        private void closed(PeerConnection c) {
            for (ConnectionClosedEventListener l : closedListeners) {
                try {
                    l.onClosed(c.remoteAddress(), c);
                } catch (RuntimeException e) {
                    LOG.warn("connection-closed listener failed: {}", e.toString());
                }
            }
        }
    }
}
