package io.metastore.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.metastore.mvcc.Event;
import io.metastore.server.error.EtcdError;
import io.metastore.server.kv.RaftKv;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * etcd's v3lock and v3election services, built as etcd builds them (its {@code concurrency}
 * package) on KV, leases and change events: a contender writes {@code name/LEASE} attached to
 * its lease — if it is not there yet — and holds the lock (or leads) once no key under
 * {@code name/} has an older create revision; it waits for each older key's delete in turn.
 * A lost lease deletes the key and so releases the lock.
 */
public final class Concurrency {
    private final RaftKv kv;
    private final KeyEvents events;

    public Concurrency(RaftKv kv, KeyEvents events) {
        this.kv = kv;
        this.events = events;
    }

    // ------------------------------------------------------------------ lock

    public CompletableFuture<LockResponse> lock(LockRequest r) {
        ByteString key = keyOf(r.getName(), r.getLease());
        return acquire(r.getName(), key, r.getLease(), ByteString.EMPTY)
                .thenCompose(rev -> current().thenApply(h -> LockResponse.newBuilder().setHeader(h.getHeader()).setKey(key).build()));
    }

    public CompletableFuture<UnlockResponse> unlock(UnlockRequest r) {
        return kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(r.getKey()).build())
                .thenApply(d -> UnlockResponse.newBuilder().setHeader(d.getHeader()).build());
    }

    // ------------------------------------------------------------------ election

    public CompletableFuture<CampaignResponse> campaign(CampaignRequest r) {
        ByteString key = keyOf(r.getName(), r.getLease());
        return acquire(r.getName(), key, r.getLease(), r.getValue()).thenCompose(rev -> current().thenApply(h ->
                CampaignResponse.newBuilder().setHeader(h.getHeader()).setLeader(LeaderKey.newBuilder()
                        .setName(r.getName()).setKey(key).setRev(rev).setLease(r.getLease())).build()));
    }

    public CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest r) {
        return kv.txn(proclaimTxn(r)).thenApply(t -> {
            if (!t.getSucceeded()) {
                throw EtcdError.ELECTION_NOT_LEADER.exception();
            }
            return ProclaimResponse.newBuilder().setHeader(t.getHeader()).build();
        });
    }

    /**
     * The txn a Proclaim is, as etcd's {@code Election.Proclaim} builds it: if the leader key
     * still has the leader's create revision, put the new value there with the leader's lease.
     * The caller's permissions are checked on this txn (read for the compare, write for the put),
     * not on the election's name: the key is the caller's to choose.
     */
    public static TxnRequest proclaimTxn(ProclaimRequest r) {
        LeaderKey l = r.getLeader();
        return TxnRequest.newBuilder().addCompare(createdAt(l.getKey(), l.getRev()))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(l.getKey())
                        .setValue(r.getValue()).setLease(l.getLease())))
                .build();
    }

    public CompletableFuture<LeaderResponse> leader(LeaderRequest r) {
        return first(r.getName()).thenApply(resp -> {
            if (resp.getKvsCount() == 0) {
                throw EtcdError.ELECTION_NO_LEADER.exception();
            }
            return LeaderResponse.newBuilder().setHeader(resp.getHeader()).setKv(resp.getKvs(0)).build();
        });
    }

    public CompletableFuture<ResignResponse> resign(ResignRequest r) {
        return kv.txn(resignTxn(r)).thenApply(t -> ResignResponse.newBuilder().setHeader(t.getHeader()).build());
    }

    /** The txn a Resign is, as etcd's {@code Election.Resign}: delete the leader key if it still has the leader's create revision. */
    public static TxnRequest resignTxn(ResignRequest r) {
        LeaderKey l = r.getLeader();
        return TxnRequest.newBuilder().addCompare(createdAt(l.getKey(), l.getRev()))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(l.getKey())))
                .build();
    }

    /**
     * Observe: the current leader, then every change of leader or of its value, until
     * {@code sink} is closed (the returned handle stops it).
     */
    public Runnable observe(LeaderRequest r, Consumer<LeaderResponse> sink, Consumer<Throwable> failed) {
        byte[] prefix = prefixOf(r.getName()).toByteArray();
        Object lock = new Object();
        KeyValue[] last = {null};
        Runnable check = () -> first(r.getName()).whenComplete((resp, error) -> {
            if (error != null) {
                failed.accept(error);
                return;
            }
            if (resp.getKvsCount() == 0) {
                return;
            }
            KeyValue kv = resp.getKvs(0);
            synchronized (lock) {
                if (last[0] != null && last[0].getKey().equals(kv.getKey()) && last[0].getModRevision() >= kv.getModRevision()) {
                    return;
                }
                last[0] = kv;
                sink.accept(LeaderResponse.newBuilder().setHeader(resp.getHeader()).setKv(kv).build());
            }
        });
        Runnable unsubscribe = events.subscribe(prefix, e -> check.run());
        check.run();
        return unsubscribe;
    }

    // ------------------------------------------------------------------ the shared waiting

    /** Creates {@code key} unless it exists, then waits until no older key under the name remains; completes with its create revision. */
    private CompletableFuture<Long> acquire(ByteString name, ByteString key, long lease, ByteString value) {
        TxnRequest create = TxnRequest.newBuilder().addCompare(createdAt(key, 0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .build();
        return kv.txn(create).thenCompose(t -> {
            long rev = t.getSucceeded() ? t.getHeader().getRevision()
                    : t.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
            CompletableFuture<Long> done = new CompletableFuture<>();
            waitOlder(name, rev, done);
            return done;
        });
    }

    private void waitOlder(ByteString name, long myRev, CompletableFuture<Long> done) {
        ByteString prefix = prefixOf(name);
        RangeRequest older = RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setMaxCreateRevision(myRev - 1).setSortTarget(RangeRequest.SortTarget.CREATE)
                .setSortOrder(RangeRequest.SortOrder.DESCEND).setLimit(1).build();
        kv.range(older).whenComplete((resp, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            if (resp.getKvsCount() == 0) {
                done.complete(myRev);
                return;
            }
            byte[] blocker = resp.getKvs(0).getKey().toByteArray();
            CompletableFuture<Void> deleted = new CompletableFuture<>();
            Runnable stop = events.subscribe(blocker, e -> {
                if (e.type() == Event.Type.DELETE && java.util.Arrays.equals(e.kv().key(), blocker)) {
                    deleted.complete(null);
                }
            });
            // the key may have gone between the range and the subscription: look again
            kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(blocker)).build()).whenComplete((again, e2) -> {
                if (e2 == null && again.getKvsCount() == 0) {
                    deleted.complete(null);
                }
            });
            deleted.whenComplete((v, e) -> {
                stop.run();
                waitOlder(name, myRev, done);
            });
        });
    }

    private CompletableFuture<RangeResponse> first(ByteString name) {
        ByteString prefix = prefixOf(name);
        return kv.range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).setLimit(1).build());
    }

    private CompletableFuture<RangeResponse> current() {
        return kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0})).setCountOnly(true)
                .setSerializable(true).build());
    }

    private static Compare createdAt(ByteString key, long rev) {
        return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(rev).build();
    }

    private static ByteString prefixOf(ByteString name) {
        return name.concat(ByteString.copyFromUtf8("/"));
    }

    private static ByteString keyOf(ByteString name, long lease) {
        return prefixOf(name).concat(ByteString.copyFromUtf8(Long.toHexString(lease)));
    }

    private static ByteString prefixEnd(ByteString prefix) {
        return ByteString.copyFrom(io.metastore.mvcc.Bytes.prefixEnd(prefix.toByteArray()));
    }
}
