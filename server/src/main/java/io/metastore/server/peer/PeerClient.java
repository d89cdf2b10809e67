package io.metastore.server.peer;

import com.alipay.sofa.jraft.ReplicatorGroup;
import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.InvokeCallback;
import com.alipay.sofa.jraft.rpc.InvokeContext;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The RPC client jraft asks its factory for: the transport is known only when jraft initializes
 * it with the node's options ({@link PeerTransport.PeerNodeOptions}), so until then it only
 * remembers the replicator groups to tell about connections. Options of no member mean plaintext
 * gRPC, which a member with peer TLS refuses.
 */
final class PeerClient implements RpcClient {
    private final PeerRpcFactory factory;
    private final List<ReplicatorGroup> groups = new ArrayList<>();
    private volatile RpcClient delegate;

    PeerClient(PeerRpcFactory factory) {
        this.factory = factory;
    }

    @Override
    public synchronized boolean init(RpcOptions options) {
        if (delegate != null) {
            return true;
        }
        RpcClient c = options instanceof PeerTransport.PeerNodeOptions p ? p.transport().newClient()
                : new GrpcPeerClient(null, factory.messages(), null, false);
        groups.forEach(c::registerConnectEventListener);
        boolean ok = c.init(options);
        delegate = c;
        return ok;
    }

    @Override
    public synchronized void shutdown() {
        if (delegate != null) {
            delegate.shutdown();
        }
    }

    private RpcClient started() {
        RpcClient c = delegate;
        if (c == null) {
            throw new IllegalStateException("the peer client is not initialized");
        }
        return c;
    }

    @Override
    public boolean checkConnection(Endpoint endpoint) {
        return started().checkConnection(endpoint);
    }

    @Override
    public boolean checkConnection(Endpoint endpoint, boolean createIfAbsent) {
        return started().checkConnection(endpoint, createIfAbsent);
    }

    @Override
    public void closeConnection(Endpoint endpoint) {
        started().closeConnection(endpoint);
    }

    @Override
    public synchronized void registerConnectEventListener(ReplicatorGroup group) {
        if (delegate == null) {
            groups.add(group);
        } else {
            delegate.registerConnectEventListener(group);
        }
    }

    @Override
    public Object invokeSync(Endpoint endpoint, Object request, InvokeContext ctx, long timeoutMs)
            throws InterruptedException, RemotingException {
        return started().invokeSync(endpoint, request, ctx, timeoutMs);
    }

    @Override
    public void invokeAsync(Endpoint endpoint, Object request, InvokeContext ctx, InvokeCallback callback, long timeoutMs)
            throws InterruptedException, RemotingException {
        started().invokeAsync(endpoint, request, ctx, callback, timeoutMs);
    }
}
