package io.metastore.server.kv;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.DeleteRange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import io.metastore.server.apply.Applied;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.apply.RequestChecks;
import io.metastore.server.error.EtcdError;
import io.metastore.server.metrics.Stages;
import io.metastore.server.propose.Proposer;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.LeaderForwarder;
import io.metastore.server.raft.RaftNode;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * etcd's KV operations behind the gRPC handlers (etcd's {@code RaftKV}): checks a request as
 * etcd does before proposing it, sends writes through the proposer into the log, answers
 * reads locally — after a ReadIndex round unless the request is serializable — and completes
 * every response's header. On a follower, writes are forwarded to the leader (the
 * {@code *Here} methods are what the leader runs for them).
 */
public final class RaftKv {

    private final KvApplier kv;
    private final RequestChecks checks;
    private final Proposer proposer;
    private final RaftNode raft;
    private final Headers headers;
    private final LeaderForwarder forwarder;
    private final io.metastore.server.alarm.Quota quota;
    private final int maxRequestBytes;
    private final Stages stages;

    /**
     * {@code maxRequestBytes}: etcd's {@code --max-request-bytes}; a larger write is "request is too large".
     * {@code stages}: where linearizable reads are timed.
     */
    public RaftKv(KvApplier kv, RequestChecks checks, Proposer proposer, RaftNode raft, Headers headers,
                  LeaderForwarder forwarder, io.metastore.server.alarm.Quota quota, int maxRequestBytes, Stages stages) {
        this.maxRequestBytes = maxRequestBytes;
        this.stages = stages;
        this.forwarder = forwarder;
        this.quota = quota;
        this.kv = kv;
        this.checks = checks;
        this.proposer = proposer;
        this.raft = raft;
        this.headers = headers;
    }

    public CompletableFuture<RangeResponse> range(RangeRequest req) {
        Range r = ProtoCommands.range(req);
        checks.checkRange(r);
        return read(r.serializable(), () -> {
            return headers.restamp(kv.range(r));
        });
    }

    public CompletableFuture<PutResponse> put(PutRequest req) {
        checkSize(req.getSerializedSize());
        Put p = ProtoCommands.put(req);
        checks.checkPut(p);
        quota.check();
        return forwarder.route(() -> putHere(req), ForwardRequest.Kind.PUT, req, PutResponse::parseFrom, answerBytes(p))
                .thenApply(headers::restamp);
    }

    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest req) {
        checkSize(req.getSerializedSize());
        DeleteRange d = ProtoCommands.deleteRange(req);
        checks.checkDeleteRange(d);
        return forwarder.route(() -> deleteRangeHere(req), ForwardRequest.Kind.DELETE_RANGE, req, DeleteRangeResponse::parseFrom,
                        answerBytes(d))
                .thenApply(headers::restamp);
    }

    public CompletableFuture<TxnResponse> txn(TxnRequest req) {
        checkSize(req.getSerializedSize());
        Txn t = ProtoCommands.txn(req);
        checks.checkTxn(t);
        if (KvApplier.isReadOnly(t)) {
            return read(allSerializable(t), () -> {
                return headers.restamp(kv.readOnlyTxn(t));
            });
        }
        quota.check();
        return forwarder.route(() -> txnHere(req), ForwardRequest.Kind.TXN, req, TxnResponse::parseFrom, answerBytes(t))
                .thenApply(headers::restamp);
    }

    public CompletableFuture<CompactionResponse> compact(CompactionRequest req) {
        return forwarder.route(() -> compactHere(req), ForwardRequest.Kind.COMPACT, req, CompactionResponse::parseFrom)
                .thenApply(headers::restamp);
    }

    /** Registers what the leader runs for writes forwarded by followers. */
    public void serveForwarded(io.metastore.server.raft.ForwardProcessor processor) {
        processor.on(ForwardRequest.Kind.PUT, b -> putHere(PutRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.DELETE_RANGE, b -> deleteRangeHere(DeleteRangeRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.TXN, b -> txnHere(TxnRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.COMPACT, b -> compactHere(CompactionRequest.parseFrom(b)));
    }

    // ------------------------------------------------------------------ on the leader

    CompletableFuture<PutResponse> putHere(PutRequest req) {
        Put p = ProtoCommands.put(req);
        checks.checkPut(p);
        return write(p).thenApply(a -> (PutResponse) a.response());
    }

    CompletableFuture<DeleteRangeResponse> deleteRangeHere(DeleteRangeRequest req) {
        DeleteRange d = ProtoCommands.deleteRange(req);
        checks.checkDeleteRange(d);
        return write(d).thenApply(a -> (DeleteRangeResponse) a.response());
    }

    CompletableFuture<TxnResponse> txnHere(TxnRequest req) {
        Txn t = ProtoCommands.txn(req);
        checks.checkTxn(t);
        return write(t).thenApply(a -> (TxnResponse) a.response());
    }

    CompletableFuture<CompactionResponse> compactHere(CompactionRequest req) {
        Compact c = ProtoCommands.compact(req);
        return write(c).thenCompose(a -> {
            CompactionResponse resp = (CompactionResponse) a.response();
            if (c.physical() && a.compaction() != null) {
                return a.compaction().thenApply(done -> resp);
            }
            return CompletableFuture.completedFuture(resp);
        });
    }

    private CompletableFuture<Applied> write(Command c) {
        return proposer.propose(c).thenApply(Applied::orThrow);
    }

    private <T> CompletableFuture<T> read(boolean serializable, Supplier<T> read) {
        if (serializable) {
            return CompletableFuture.completedFuture(read.get());
        }
        long received = System.nanoTime();
        boolean leader = raft.isLeader();
        return raft.readIndex().thenApply(ignored -> {
            long confirmed = System.nanoTime();
            T answer = read.get();
            stages.linearizableRead(leader, received, confirmed, System.nanoTime());
            return answer;
        });
    }

    /**
     * The most data bytes the answer to a write or txn op can hold (see {@link LeaderForwarder#route}):
     * a stored value is never larger than a request may be, so each single-key read or previous
     * value asked for is one such value; a range over several keys is unbounded; a txn holds what
     * its larger branch does.
     */
    private long answerBytes(TxnOp op) {
        if (op instanceof Put p) {
            return p.prevKv() ? maxRequestBytes : 0;
        }
        if (op instanceof DeleteRange d) {
            return !d.prevKv() ? 0 : d.rangeEnd().length == 0 ? maxRequestBytes : LeaderForwarder.UNBOUNDED_ANSWER;
        }
        if (op instanceof Range r) {
            return r.rangeEnd().length == 0 ? maxRequestBytes : LeaderForwarder.UNBOUNDED_ANSWER;
        }
        return op instanceof Txn t ? answerBytes(t) : LeaderForwarder.UNBOUNDED_ANSWER;
    }

    private long answerBytes(Txn t) {
        long most = 0;
        for (var ops : java.util.List.of(t.success(), t.failure())) {
            long branch = 0;
            for (TxnOp op : ops) {
                long one = answerBytes(op);
                if (one == LeaderForwarder.UNBOUNDED_ANSWER) {
                    return LeaderForwarder.UNBOUNDED_ANSWER;
                }
                branch += one;
            }
            most = Math.max(most, branch);
        }
        return most;
    }

    private static boolean allSerializable(Txn t) {
        for (var ops : java.util.List.of(t.success(), t.failure())) {
            for (TxnOp op : ops) {
                if (op instanceof Range r && !r.serializable()) {
                    return false;
                }
                if (op instanceof Txn nested && !allSerializable(nested)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void checkSize(int bytes) {
        if (bytes > maxRequestBytes) {
            throw EtcdError.REQUEST_TOO_LARGE.exception();
        }
    }
}
