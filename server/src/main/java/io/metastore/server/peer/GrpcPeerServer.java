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
 * one its selector picks for the sending peer, so a pipeline's entries stay in order).
 */
final class GrpcPeerServer implements RpcServer {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcPeerServer.class);
    private static final Attributes.Key<PeerConnection> CONNECTION = Attributes.Key.create("metastore.peer.connection");

    private final InetSocketAddress address;
    private final SslContext ssl;
    private final io.netty.channel.EventLoopGroup eventLoops;
    private final MethodDescriptor<Object, Object> method;
    private final Map<String, RpcProcessor<?>> processors = new ConcurrentHashMap<>();
    private final List<ConnectionClosedEventListener> closedListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService defaultExecutor;
    private volatile Server server;

    /** {@code eventLoops}: the event loops that accept and serve connections, {@code null} for gRPC's default ones. */
    GrpcPeerServer(InetSocketAddress address, SslContext ssl, PeerMessages messages, ExecutorService defaultExecutor,
                   io.netty.channel.EventLoopGroup eventLoops) {
        this.address = address;
        this.eventLoops = eventLoops;
        this.ssl = ssl;
        this.method = PeerService.call(messages);
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
                .addService(ServerServiceDefinition.builder(PeerService.NAME).addMethod(method, new Handler()).build());
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

    /** Runs one request with its processor; the call is answered when the processor sends its response. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void dispatch(ServerCall<Object, Object> call, Object request) {
        String type = request.getClass().getName();
        RpcProcessor processor = processors.get(type);
        if (processor == null) {
            call.close(Status.UNIMPLEMENTED.withDescription("no processor for " + type), new Metadata());
            return;
        }
        PeerConnection connection = call.getAttributes().get(CONNECTION);
        Context ctx = new Context(call, connection);
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
            executor.execute(() -> {
                try {
                    processor.handleRequest(ctx, request);
                } catch (RuntimeException e) {
                    LOG.warn("peer request {} failed: {}", type, e.toString());
                    ctx.fail(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())));
                }
            });
        } catch (RejectedExecutionException e) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("peer request queue is full"), new Metadata());
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
                        dispatch(call, request);
                    }
                }
            };
        }
    }

    /** A request's context: its answer goes back on its call, once. */
    private static final class Context implements RpcContext {
        private final ServerCall<Object, Object> call;
        private final PeerConnection connection;
        private boolean answered;

        Context(ServerCall<Object, Object> call, PeerConnection connection) {
            this.call = call;
            this.connection = connection;
        }

        @Override
        public synchronized void sendResponse(Object response) {
            if (answered) {
                return;
            }
            answered = true;
            try {
                call.sendHeaders(new Metadata());
                call.sendMessage(response);
                call.close(Status.OK, new Metadata());
            } catch (RuntimeException e) {
                // the caller gave up (deadline, lost connection) or the answer cannot be framed
                LOG.debug("cannot answer a peer request: {}", e.toString());
                try {
                    call.close(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())), new Metadata());
                } catch (RuntimeException closed) {
                    // already closed
                }
            }
        }

        synchronized void fail(Status status) {
            if (!answered) {
                answered = true;
                call.close(status, new Metadata());
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
