package io.metastore.server.peer;

import com.alipay.remoting.DefaultCustomSerializer;
import com.alipay.remoting.InvokeContext;
import com.alipay.remoting.exception.DeserializationException;
import com.alipay.remoting.rpc.RequestCommand;
import com.alipay.remoting.rpc.ResponseCommand;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import com.google.protobuf.Message;

import java.io.IOException;

/**
 * Bolt's serializer for MetaStore's own protobuf messages (jraft's serializer reads only jraft's):
 * the message bytes, parsed back through the types registered in {@link PeerMessages}.
 */
final class BoltMessages extends DefaultCustomSerializer {
    private final PeerMessages messages;

    BoltMessages(PeerMessages messages) {
        this.messages = messages;
    }

    @Override
    public <T extends RequestCommand> boolean serializeContent(T request, InvokeContext ctx) {
        RpcRequestCommand cmd = (RpcRequestCommand) request;
        cmd.setContent(((Message) cmd.getRequestObject()).toByteArray());
        return true;
    }

    @Override
    public <T extends ResponseCommand> boolean serializeContent(T response) {
        RpcResponseCommand cmd = (RpcResponseCommand) response;
        cmd.setContent(((Message) cmd.getResponseObject()).toByteArray());
        return true;
    }

    @Override
    public <T extends RequestCommand> boolean deserializeContent(T request) throws DeserializationException {
        RpcRequestCommand cmd = (RpcRequestCommand) request;
        try {
            cmd.setRequestObject(messages.parse(cmd.getRequestClass(), bytes(cmd.getContent())));
        } catch (IOException e) {
            throw new DeserializationException(e.getMessage(), e);
        }
        return true;
    }

    @Override
    public <T extends ResponseCommand> boolean deserializeContent(T response, InvokeContext ctx)
            throws DeserializationException {
        RpcResponseCommand cmd = (RpcResponseCommand) response;
        try {
            cmd.setResponseObject(messages.parse(cmd.getResponseClass(), bytes(cmd.getContent())));
        } catch (IOException e) {
            throw new DeserializationException(e.getMessage(), e);
        }
        return true;
    }

    /** Bolt carries an empty message (MemberInfoRequest) as no content at all. */
    private static byte[] bytes(byte[] content) {
        return content == null ? new byte[0] : content;
    }
}
