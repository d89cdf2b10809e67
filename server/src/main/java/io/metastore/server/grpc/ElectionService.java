package io.metastore.server.grpc;

import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.metastore.server.concurrency.Concurrency;
import io.metastore.server.error.GrpcErrors;

/**
 * etcd's {@code v3electionpb.Election} service. Failures answer as etcd's service answers them,
 * through its in-process client ({@link GrpcErrors#toStatusThroughClient}).
 */
final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private final Concurrency concurrency;
    private final io.metastore.server.auth.Authorizer auth;

    ElectionService(Concurrency concurrency, io.metastore.server.auth.Authorizer auth) {
        this.concurrency = concurrency;
        this.auth = auth;
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> observer) {
        Answer.with(observer, () -> {
            auth.namespace(Caller.user(), request.getName().toByteArray(), true);
            return concurrency.campaign(request);
        }, GrpcErrors::toStatusThroughClient);
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> observer) {
        Answer.with(observer, () -> {
            // the key written is the caller's to name: checked as the txn etcd makes of it, not by the election's name
            auth.txn(Caller.user(), Concurrency.proclaimTxn(request));
            return concurrency.proclaim(request);
        }, GrpcErrors::toStatusThroughClient);
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        Answer.with(observer, () -> {
            auth.namespace(Caller.user(), request.getName().toByteArray(), false);
            return concurrency.leader(request);
        }, GrpcErrors::toStatusThroughClient);
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> observer) {
        Answer.with(observer, () -> {
            auth.txn(Caller.user(), Concurrency.resignTxn(request));
            return concurrency.resign(request);
        }, GrpcErrors::toStatusThroughClient);
    }

    /**
     * Streams leader changes until the client goes away. A caller who may not read the election
     * gets a stream that ends at once, successfully and empty, as from etcd 3.4.23: its Observe
     * reads the leader through its own client, and the observing goroutine ends the stream on
     * that read's error instead of answering it.
     */
    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        ServerCallStreamObserver<LeaderResponse> call = (ServerCallStreamObserver<LeaderResponse>) observer;
        try {
            auth.namespace(Caller.user(), request.getName().toByteArray(), false);
        } catch (io.metastore.server.error.EtcdException refused) {
            call.onCompleted();
            return;
        } catch (RuntimeException e) {
            call.onError(GrpcErrors.toStatusThroughClient(e));
            return;
        }
        Runnable stop = concurrency.observe(request, resp -> {
            synchronized (call) {
                if (!call.isCancelled()) {
                    call.onNext(resp);
                }
            }
        }, error -> {
            synchronized (call) {
                if (!call.isCancelled()) {
                    call.onError(GrpcErrors.toStatusThroughClient(error));
                }
            }
        });
        call.setOnCancelHandler(stop);
        Context.current().addListener(ctx -> stop.run(), Runnable::run);
    }
}
