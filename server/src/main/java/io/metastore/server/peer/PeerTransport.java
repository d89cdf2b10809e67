package io.metastore.server.peer;

import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.Message;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.tls.PeerTls;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One member's Raft peer transport, as its configuration sets it: the server on its peer port
 * and the clients it calls the other members with — jraft's own (through
 * {@link #nodeOptions()}) and MetaStore's (forwarding, member info). With gRPC and a peer
 * certificate both sides speak mutual TLS only.
 */
public final class PeerTransport implements AutoCloseable {
    /** HTTP/2 flow-control window per stream and connection: a burst of AppendEntries never waits for a window update. */
    static final int FLOW_CONTROL_WINDOW = 8 << 20;
    /** The largest message a member reads (AppendEntries and snapshot chunks stay far below it). */
    static final int MAX_MESSAGE_BYTES = 64 << 20;

    private final ServerConfig.Peer config;
    private final PeerTls tls;
    private final PeerRpcFactory factory;
    /** The gRPC transport's own event loops ({@code --peer-io-threads}), {@code null} for gRPC's shared ones. */
    private final io.netty.channel.EventLoopGroup eventLoops;

    /**
     * @param tls the contexts of {@code config.tls()}, {@code null} when it is off
     * @throws IllegalStateException when another jraft RPC factory than MetaStore's was loaded
     */
    public PeerTransport(ServerConfig.Peer config, PeerTls tls) {
        this.config = config;
        this.tls = tls;
        RaftRpcFactory f = RpcFactoryHelper.rpcFactory();
        if (!(f instanceof PeerRpcFactory p)) {
            throw new IllegalStateException("jraft loaded the RPC factory " + f.getClass().getName()
                    + " instead of " + PeerRpcFactory.class.getName() + ": is another jraft transport on the class path?");
        }
        this.factory = p;
        // jraft registers its message types when this class loads
        com.alipay.sofa.jraft.rpc.ProtobufMsgFactory.load();
        this.eventLoops = config.transport() == ServerConfig.Peer.Transport.GRPC && config.ioThreads() > 0
                ? new io.netty.channel.nio.NioEventLoopGroup(config.ioThreads(),
                        new io.netty.util.concurrent.DefaultThreadFactory("metastore-peer-io", true))
                : null;
    }

    /** Stops the transport's own event loops, once the server and every client of this member are shut down. */
    @Override
    public void close() {
        if (eventLoops != null) {
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Makes a protobuf message type of MetaStore's own travel between members. */
    public PeerTransport register(Message defaultInstance) {
        factory.registerProtobufSerializer(defaultInstance.getClass().getName(), defaultInstance);
        return this;
    }

    /** Whether members talk mutual TLS. */
    public boolean secure() {
        return tls != null;
    }

    public ServerConfig.Peer config() {
        return config;
    }

    /** The server for this member's peer address; it listens once jraft starts it. */
    public RpcServer server(Endpoint self) {
        if (config.transport() == ServerConfig.Peer.Transport.BOLT) {
            return factory.bolt().createRpcServer(self);
        }
        return new GrpcPeerServer(new InetSocketAddress(self.getIp(), self.getPort()), tls == null ? null : tls.server(),
                factory.messages(), requestPool(), eventLoops, config.appendOnTransport());
    }

    /** A started client for MetaStore's own calls to other members; shut it down when done. */
    public RpcClient client() {
        RpcClient c = newClient();
        c.init(new RpcOptions());
        return c;
    }

    /** Options for jraft's node whose RPC clients use this transport. */
    public NodeOptions nodeOptions() {
        return new PeerNodeOptions(this);
    }

    /** A client not yet initialized, of this member's transport. */
    RpcClient newClient() {
        if (config.transport() == ServerConfig.Peer.Transport.BOLT) {
            return factory.bolt().createRpcClient();
        }
        return new GrpcPeerClient(tls == null ? null : tls.client(), factory.messages(), eventLoops, config.stream());
    }

    /**
     * Where requests run whose processor names no executor (votes, snapshots, forwarded client
     * requests): a thread per concurrent request, up to a bound past which the caller is told to
     * come back, as bolt's default pool does.
     */
    static ExecutorService requestPool() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(4, 256, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "metastore-peer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** jraft's node options carrying the transport to the RPC clients jraft makes for the node. */
    static final class PeerNodeOptions extends NodeOptions {
        private final PeerTransport transport;

        PeerNodeOptions(PeerTransport transport) {
            this.transport = transport;
        }

        PeerTransport transport() {
            return transport;
        }
    }
}
