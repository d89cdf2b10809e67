package io.metastore.server.kv;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.ForwardResponse;

import java.util.concurrent.CompletableFuture;

/** The leader's side of write forwarding: runs a follower's request here, never forwarding it on. */
public final class ForwardProcessor implements RpcProcessor<ForwardRequest> {
    private final RaftKv kv;

    public ForwardProcessor(RaftKv kv) {
        this.kv = kv;
    }

    @Override
    public void handleRequest(RpcContext ctx, ForwardRequest request) {
        CompletableFuture<? extends Message> answer;
        try {
            byte[] b = request.request();
            answer = switch (request.kind()) {
                case PUT -> kv.putHere(PutRequest.parseFrom(b));
                case DELETE_RANGE -> kv.deleteRangeHere(DeleteRangeRequest.parseFrom(b));
                case TXN -> kv.txnHere(TxnRequest.parseFrom(b));
                case COMPACT -> kv.compactHere(CompactionRequest.parseFrom(b));
            };
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((resp, error) -> {
            if (error == null) {
                ctx.sendResponse(ForwardResponse.ok(resp.toByteArray()));
            } else {
                EtcdError e = GrpcErrors.etcdError(error);
                ctx.sendResponse(e != null ? ForwardResponse.failed(e.name(), e.message())
                        : ForwardResponse.failed(null, String.valueOf(error.getMessage())));
            }
        });
    }

    @Override
    public String interest() {
        return ForwardRequest.class.getName();
    }
}
