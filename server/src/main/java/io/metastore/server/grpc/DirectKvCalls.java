package io.metastore.server.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.api.KVGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Runs etcd's KV calls (Range, Put, DeleteRange, Txn) on the gRPC transport thread that read
 * them while the given condition holds (this member leads, or always); every other call goes to
 * gRPC's thread pool as usual. gRPC's default hands each event of a call (headers, message,
 * half-close, completion) to a pooled thread; with a cached pool that hand-off is a thread
 * wake-up each time.
 *
 * <p>Safe only because these calls never block: a Range waits for ReadIndex through a future, a
 * write hands its command to the proposer without waiting (a full queue is waited out on the
 * proposer's own threads) and answers from the apply thread. A follower forwards to the leader
 * through futures too, as long as its peer transport never blocks the caller (gRPC channels
 * connect in the background; bolt connects on the caller's thread, so with bolt only the
 * leader's calls run here); a member that stops leading during a call looks for the new leader
 * without holding the thread.
 */
final class DirectKvCalls implements ServerCallExecutorSupplier {
    private static final Set<String> METHODS = Set.of(KVGrpc.getRangeMethod().getFullMethodName(),
            KVGrpc.getPutMethod().getFullMethodName(), KVGrpc.getDeleteRangeMethod().getFullMethodName(),
            KVGrpc.getTxnMethod().getFullMethodName());

    private final BooleanSupplier direct;

    DirectKvCalls(BooleanSupplier direct) {
        this.direct = direct;
    }

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
        return METHODS.contains(call.getMethodDescriptor().getFullMethodName()) && direct.getAsBoolean()
                ? MoreExecutors.directExecutor() : null;
    }
}
