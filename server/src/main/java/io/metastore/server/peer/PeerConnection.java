package io.metastore.server.peer;

import com.alipay.sofa.jraft.rpc.Connection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A peer's transport as jraft's processors see it: attributes they keep per connection (the
 * AppendEntries pipeline's response order). {@link #close} forgets them and tells the
 * connection-closed listeners, so a pipeline that fell too far behind starts afresh; gRPC keeps
 * the TCP connection, which only orders the bytes.
 */
final class PeerConnection implements Connection {
    private final String remoteAddress;
    private final Consumer<PeerConnection> onClose;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    PeerConnection(String remoteAddress, Consumer<PeerConnection> onClose) {
        this.remoteAddress = remoteAddress;
        this.onClose = onClose;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Object getAttribute(String key) {
        return attributes.get(key);
    }

    @Override
    public void setAttribute(String key, Object value) {
        attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(String key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public void close() {
        onClose.accept(this);
        attributes.clear();
    }
}
