package io.metastore.server.peer;

import com.alipay.sofa.jraft.rpc.RaftRpcFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.SPI;
import com.google.protobuf.Message;

import java.net.InetSocketAddress;

/**
 * MetaStore's jraft RPC factory, found by jraft's service loader ahead of bolt's (higher
 * priority). jraft registers its message types here; they are readable on both transports. The
 * clients it makes take their transport from the node's options ({@link PeerClient}); servers are
 * built per member by {@link PeerTransport}.
 */
@SPI(priority = 100)
public final class PeerRpcFactory implements RaftRpcFactory {
    private final PeerMessages messages = new PeerMessages();
    private final BoltRaftRpcFactory bolt = new BoltRaftRpcFactory();
    private static final String JRAFT_PACKAGE = "com.alipay.sofa.jraft.";
    private final BoltMessages boltMessages = new BoltMessages(messages);
    private final java.util.Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Registers a message type once (every member in a process registers MetaStore's own). */
    @Override
    public void registerProtobufSerializer(String className, Object... args) {
        if (!registered.add(className)) {
            return;
        }
        if (args.length > 0 && args[0] instanceof Message defaultInstance) {
            messages.register(defaultInstance);
        }
        if (className.startsWith(JRAFT_PACKAGE)) {
            bolt.registerProtobufSerializer(className, args);
        } else {
            com.alipay.remoting.CustomSerializerManager.registerCustomSerializer(className, boltMessages);
        }
    }

    @Override
    public RpcClient createRpcClient(ConfigHelper<RpcClient> helper) {
        RpcClient c = new PeerClient(this);
        if (helper != null) {
            helper.config(c);
        }
        return c;
    }

    /** A plaintext gRPC server on {@code endpoint}; members build theirs with {@link PeerTransport#server}. */
    @Override
    public RpcServer createRpcServer(Endpoint endpoint, ConfigHelper<RpcServer> helper) {
        RpcServer s = new GrpcPeerServer(new InetSocketAddress(endpoint.getIp(), endpoint.getPort()), null, messages,
                PeerTransport.requestPool(), null, false);
        if (helper != null) {
            helper.config(s);
        }
        return s;
    }

    @Override
    public void ensurePipeline() {
        bolt.ensurePipeline();
    }

    PeerMessages messages() {
        return messages;
    }

    BoltRaftRpcFactory bolt() {
        return bolt;
    }
}
