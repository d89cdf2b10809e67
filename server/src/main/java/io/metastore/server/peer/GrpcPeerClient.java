package io.metastore.server.peer;

import com.alipay.sofa.jraft.ReplicatorGroup;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.InvokeCallback;
import com.alipay.sofa.jraft.rpc.InvokeContext;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * jraft's RPC client on gRPC: one channel (one HTTP/2 connection) per peer, over TLS with this
 * member's peer certificate when it has one. Requests to a peer go out in the order they are
 * made; answers run on the executor the caller names, or on the transport thread. Each request is
 * a unary call, or, with {@code --peer-stream} and while the peer is connected, a frame of one
 * stream to it ({@link PeerStream}); a request to a peer not connected is a unary call that waits
 * for the connection up to its deadline.
 *
 * <p>Connection state follows jraft's contract: {@link #checkConnection(Endpoint, boolean)} starts
 * connecting and answers whether the peer can be called now, and a connection that becomes ready
 * makes every registered replicator group re-check its replicator for that peer.
 */
final class GrpcPeerClient implements RpcClient {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcPeerClient.class);

    /** How long a call waits for a peer whose last connection attempt failed (see {@link #invokeAsync}). */
    static final long FAILED_PEER_WAIT_MS = 250;

    private final SslContext ssl;
    private final io.netty.channel.EventLoopGroup eventLoops;
    private final MethodDescriptor<Object, Object> method;
    private final MethodDescriptor<PeerFrame, PeerFrame> streamMethod;
    /** The timeouts of streamed requests; {@code null} when every request is a unary call. */
    private final ScheduledExecutorService timeouts;
    private final Map<Endpoint, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<Endpoint, PeerStream> streams = new ConcurrentHashMap<>();
    private final List<ReplicatorGroup> groups = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metastore-peer-events");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /**
     * @param eventLoops the event loops the channels run on, {@code null} for gRPC's default ones
     * @param stream     requests to a connected peer as frames of one stream ({@link PeerStream}), not unary calls
     */
    GrpcPeerClient(SslContext ssl, PeerMessages messages, io.netty.channel.EventLoopGroup eventLoops, boolean stream) {
        this.ssl = ssl;
        this.eventLoops = eventLoops;
        this.method = PeerService.call(messages);
        this.streamMethod = PeerService.stream(messages);
        if (stream) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "metastore-peer-timeouts");
                thread.setDaemon(true);
                return thread;
            });
            t.setRemoveOnCancelPolicy(true);
            this.timeouts = t;
        } else {
            this.timeouts = null;
        }
    }

    @Override
    public boolean init(RpcOptions options) {
        return true;
    }

    @Override
    public void shutdown() {
        closed = true;
        streams.values().forEach(PeerStream::close);
        streams.clear();
        if (timeouts != null) {
            timeouts.shutdownNow();
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
        events.shutdownNow();
    }

    /** Whether requests to {@code endpoint} travel on a stream now. */
    boolean streaming(Endpoint endpoint) {
        return streams.containsKey(endpoint);
    }

    @Override
    public boolean checkConnection(Endpoint endpoint) {
        ManagedChannel c = channels.get(endpoint);
        return c != null && c.getState(false) == ConnectivityState.READY;
    }

    /** True while the peer can be called: connected, or connecting (a call then waits for the connection). */
    @Override
    public boolean checkConnection(Endpoint endpoint, boolean createIfAbsent) {
        ManagedChannel c = createIfAbsent ? channel(endpoint) : channels.get(endpoint);
        if (c == null) {
            return false;
        }
        ConnectivityState state = c.getState(true);
        retryNowIfFailed(c, state);
        return state != ConnectivityState.TRANSIENT_FAILURE && state != ConnectivityState.SHUTDOWN;
    }

    @Override
    public void closeConnection(Endpoint endpoint) {
        PeerStream s = streams.remove(endpoint);
        if (s != null) {
            s.close();
        }
        ManagedChannel c = channels.remove(endpoint);
        if (c != null) {
            c.shutdownNow();
        }
    }

    @Override
    public void registerConnectEventListener(ReplicatorGroup group) {
        groups.add(group);
    }

    @Override
    public Object invokeSync(Endpoint endpoint, Object request, InvokeContext ctx, long timeoutMs)
            throws InterruptedException, RemotingException {
        CompletableFuture<Object> f = new CompletableFuture<>();
        invokeAsync(endpoint, request, ctx, (result, error) -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(result);
            }
        }, timeoutMs);
        try {
            return f.get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RemotingException r) {
                throw r;
            }
            throw new RemotingException(e.getCause());
        } catch (TimeoutException e) {
            throw new InvokeTimeoutException("no answer from " + endpoint + " within " + timeoutMs + " ms");
        }
    }

    @Override
    public void invokeAsync(Endpoint endpoint, Object request, InvokeContext ctx, InvokeCallback callback, long timeoutMs)
            throws RemotingException {
        if (closed) {
            throw new RemotingException("the peer client is shut down");
        }
        ManagedChannel c = channel(endpoint);
        ConnectivityState state = c.getState(false);
        if (timeouts != null && state == ConnectivityState.READY) {
            PeerStream s = streams.get(endpoint);
            if (s == null) {
                s = streams.computeIfAbsent(endpoint, e -> new PeerStream(e.toString(), c, streamMethod, timeouts));
            }
            s.send(request, callback, callback.executor(), timeoutMs);
            return;
        }
        retryNowIfFailed(c, state);
        // a peer being connected to is waited for until the deadline, as a connect timeout would; one whose last
        // connection attempt failed (refused, or its TLS handshake rejected) gets a fresh attempt, made just above
        // instead of after gRPC's reconnect backoff, and is waited for at most FAILED_PEER_WAIT_MS, about what a
        // connect to a live peer on the same network takes. jraft probes peers with such calls while it holds its
        // node lock (electSelf), so a call that waited out its whole deadline on a peer that refuses us would hold
        // up the votes of the members that can answer.
        long wait = timeoutMs > 0 ? timeoutMs : 5000;
        if (state == ConnectivityState.TRANSIENT_FAILURE) {
            wait = Math.min(wait, FAILED_PEER_WAIT_MS);
        }
        CallOptions options = CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(wait, TimeUnit.MILLISECONDS);
        if (callback.executor() != null) {
            options = options.withExecutor(callback.executor());
        }
        // under the root context (a call takes the current one when made): a call to a peer never takes the
        // cancellation or deadline of a client call whose thread starts it (a forwarded batch carries other
        // callers' requests; jraft's own belong to none)
        io.grpc.Context previous = io.grpc.Context.ROOT.attach();
        try {
            ClientCall<Object, Object> call = c.newCall(method, options);
            ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
                private Object answer;

                @Override
                public void onNext(Object value) {
                    answer = value;
                }

                @Override
                public void onError(Throwable t) {
                    callback.complete(null, failure(endpoint, t));
                }

                @Override
                public void onCompleted() {
                    callback.complete(answer, null);
                }
            });
        } catch (RuntimeException e) {
            throw new RemotingException("cannot send to " + endpoint + ": " + e.getMessage(), e);
        } finally {
            io.grpc.Context.ROOT.detach(previous);
        }
    }

    /** jraft probes far more often than gRPC's reconnect backoff (up to two minutes) would try again. */
    private static void retryNowIfFailed(ManagedChannel c, ConnectivityState state) {
        if (state == ConnectivityState.TRANSIENT_FAILURE) {
            c.resetConnectBackoff();
        }
    }

    private static Exception failure(Endpoint endpoint, Throwable t) {
        Status status = t instanceof StatusRuntimeException s ? s.getStatus() : Status.fromThrowable(t);
        String message = endpoint + ": " + status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription());
        return status.getCode() == Status.Code.DEADLINE_EXCEEDED ? new InvokeTimeoutException(message, t)
                : new RemotingException(message, t);
    }

    private ManagedChannel channel(Endpoint endpoint) {
        ManagedChannel c = channels.get(endpoint);
        return c != null ? c : channels.computeIfAbsent(endpoint, this::open);
    }

    private ManagedChannel open(Endpoint endpoint) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(endpoint.getIp(), endpoint.getPort())
                .directExecutor()
                .disableRetry()
                .flowControlWindow(PeerTransport.FLOW_CONTROL_WINDOW)
                .maxInboundMessageSize(PeerTransport.MAX_MESSAGE_BYTES)
                .idleTimeout(30, TimeUnit.DAYS);
        if (eventLoops != null) {
            b.eventLoopGroup(eventLoops).channelType(io.netty.channel.socket.nio.NioSocketChannel.class);
        }
        if (ssl != null) {
            b.sslContext(ssl);
        } else {
            b.usePlaintext();
        }
        ManagedChannel c = b.build();
        watch(endpoint, c, ConnectivityState.IDLE);
        return c;
    }

    /** Tells the replicator groups each time the channel becomes ready, as bolt does on connect. */
    private void watch(Endpoint endpoint, ManagedChannel c, ConnectivityState last) {
        ConnectivityState now = c.getState(false);
        if (now == ConnectivityState.SHUTDOWN || closed) {
            return;
        }
        if (now == ConnectivityState.READY && last != ConnectivityState.READY && !groups.isEmpty()) {
            try {
                events.execute(() -> connected(endpoint));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
        c.notifyWhenStateChanged(now, () -> watch(endpoint, c, now));
    }

    private void connected(Endpoint endpoint) {
        PeerId peer = new PeerId();
        if (!peer.parse(endpoint.toString())) {
            return;
        }
        for (ReplicatorGroup g : groups) {
            try {
                g.checkReplicator(peer, true);
            } catch (RuntimeException e) {
                LOG.warn("cannot re-check the replicator of {}: {}", peer, e.toString());
            }
        }
    }
}
