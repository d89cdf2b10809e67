package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's side of forwarding: runs a follower's request with the handler registered for
 * its kind, here, never forwarding it on, and answers with the response or the etcd error.
 */
public final class ForwardProcessor implements RpcProcessor<ForwardRequest> {

    /** Runs one forwarded request on the leader. */
    @FunctionalInterface
    public interface Handler {
        CompletableFuture<? extends Message> handle(byte[] request) throws InvalidProtocolBufferException;
    }

    /**
     * Checks on the leader that the user a follower names may make a forwarded request, as the
     * follower checked before forwarding; throws the etcd error (permission denied) if not.
     */
    @FunctionalInterface
    public interface Check {
        void check(String user, byte[] request) throws InvalidProtocolBufferException;
    }

    private final Map<ForwardRequest.Kind, Handler> handlers = new EnumMap<>(ForwardRequest.Kind.class);
    private final Map<ForwardRequest.Kind, Check> checks = new EnumMap<>(ForwardRequest.Kind.class);
    private final AppliedIndex applied;

    /** {@code applied}: this member's last applied entry, sent with every answer. */
    public ForwardProcessor(AppliedIndex applied) {
        this.applied = applied;
    }

    /** Registers the handler for one kind; done while the member is built, before it serves. */
    public synchronized ForwardProcessor on(ForwardRequest.Kind kind, Handler handler) {
        handlers.put(kind, handler);
        return this;
    }

    /** Registers the leader's permission check for one kind; done while the member is built, before it serves. */
    public synchronized ForwardProcessor authorize(ForwardRequest.Kind kind, Check check) {
        checks.put(kind, check);
        return this;
    }

    @Override
    public void handleRequest(RpcContext ctx, ForwardRequest request) {
        answer(request).thenAccept(ctx::sendResponse);
    }

    /** Runs one forwarded request; completes (never exceptionally) with the answer to send back. */
    CompletableFuture<ForwardResponse> answer(ForwardRequest request) {
        CompletableFuture<? extends Message> answer;
        try {
            Handler h;
            Check c;
            synchronized (this) {
                h = handlers.get(request.getKind());
                c = checks.get(request.getKind());
            }
            if (h == null) {
                throw new IllegalStateException("no handler for forwarded " + request.getKind());
            }
            byte[] bytes = request.getRequest().toByteArray();
            if (c != null) {
                c.check(request.getUser().isEmpty() ? null : request.getUser(), bytes);
            }
            answer = h.handle(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((resp, error) -> {
            if (error == null) {
                AppliedIndex.Position at = applied.position();
                return ForwardResponse.newBuilder().setResponse(resp.toByteString())
                        .setAppliedIndex(at.index()).setAppliedTerm(at.term()).build();
            }
            EtcdError e = GrpcErrors.etcdError(error);
            return e != null ? ForwardResponse.newBuilder().setError(e.name()).setMessage(e.message()).build()
                    : ForwardResponse.newBuilder().setMessage(String.valueOf(error.getMessage())).build();
        });
    }

    /** The leader's side of {@link ForwardBatch}: each request run as if it came alone, answered together. */
    public RpcProcessor<ForwardBatch> batches() {
        return new RpcProcessor<>() {
            @Override
            public void handleRequest(RpcContext ctx, ForwardBatch batch) {
                List<ForwardRequest> requests = batch.getRequestsList();
                @SuppressWarnings("unchecked")
                CompletableFuture<ForwardResponse>[] answers = new CompletableFuture[requests.size()];
                for (int i = 0; i < answers.length; i++) {
                    answers[i] = answer(requests.get(i));
                }
                CompletableFuture.allOf(answers).thenRun(() -> {
                    ForwardBatchResponse.Builder b = ForwardBatchResponse.newBuilder();
                    for (CompletableFuture<ForwardResponse> a : answers) {
                        b.addResponses(a.join());
                    }
                    ctx.sendResponse(b.build());
                });
            }

            @Override
            public String interest() {
                return ForwardBatch.class.getName();
            }
        };
    }

    @Override
    public String interest() {
        return ForwardRequest.class.getName();
    }
}
