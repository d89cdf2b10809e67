package io.metastore.server.grpc;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.auth.Authorizer;
import io.metastore.server.kv.RaftKv;

/** etcd's {@code etcdserverpb.KV} service: each handler checks the caller's permission, delegates and answers. */
final class KvService extends KVGrpc.KVImplBase {
    private final RaftKv kv;
    private final Authorizer auth;

    KvService(RaftKv kv, Authorizer auth) {
        this.kv = kv;
        this.auth = auth;
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        Answer.with(observer, () -> {
            auth.range(Caller.user(), request);
            return kv.range(request);
        });
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        Answer.with(observer, () -> {
            auth.putAlone(Caller.user(), request);
            return kv.put(request);
        });
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        Answer.with(observer, () -> {
            auth.deleteRange(Caller.user(), request);
            return kv.deleteRange(request);
        });
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        Answer.with(observer, () -> {
            auth.txn(Caller.user(), request);
            return kv.txn(request);
        });
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        Answer.with(observer, () -> {
            auth.admin(Caller.user());
            return kv.compact(request);
        });
    }
}
