package io.metastore.server.apply;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.ResponseOp;
import io.etcd.jetcd.api.TxnResponse;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import io.metastore.mvcc.DeleteResult;
import io.metastore.mvcc.KeyValue;
import io.metastore.mvcc.MvccException;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.PutResult;
import io.metastore.mvcc.RangeQuery;
import io.metastore.mvcc.RangeResult;
import io.metastore.mvcc.WriteResult;
import io.metastore.mvcc.WriteTxn;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.EtcdException;
import io.metastore.server.metrics.Metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Applies KV commands (Put, DeleteRange, Txn, Compact) to the MVCC store with etcd 3.4's
 * semantics and builds etcd's responses.
 *
 * <p>The subtle part is the transaction, done as etcd does it:
 * <ol>
 *   <li>Every compare on the path the txn will take, nested txns included, is evaluated
 *       first, against the state before the txn changes anything ("compare to path").</li>
 *   <li>The operations on that path are checked before any runs: a put with
 *       {@code ignore_value}/{@code ignore_lease} needs its key to exist and a put naming a
 *       lease needs the lease; a range may not ask for a future or compacted revision. A failed
 *       check refuses the whole txn with nothing changed.</li>
 *   <li>The operations run in order in one write transaction: one revision for all of them;
 *       a range sees the changes made before it.</li>
 * </ol>
 * A refused request still moves the store's applied index, so a replay after a restart does
 * not apply it again.
 *
 * <p>Runs on the apply thread only.
 */
public final class KvApplier {

    private final MvccStore store;
    private final LeaseLookup leases;
    private final Metrics metrics;

    public KvApplier(MvccStore store, LeaseLookup leases) {
        this(store, leases, new Metrics());
    }

    /** {@code metrics} counts the puts, deletes, ranges and txns this member performs ({@code etcd_mvcc_*_total}). */
    public KvApplier(MvccStore store, LeaseLookup leases, Metrics metrics) {
        this.store = store;
        this.leases = leases;
        this.metrics = metrics;
    }

    /**
     * Applies one KV command that the log committed at {@code index}, as its own write
     * transaction recording that index.
     */
    public Applied apply(Command command, long index) {
        if (command instanceof Compact c) {
            try {
                return compact(c, index);
            } catch (MvccException e) {
                markApplied(index);
                return Applied.failed(e);
            }
        }
        try (WriteTxn txn = store.beginWrite()) {
            Applied applied = applyWrite(txn, command);
            txn.commit(index);
            return applied;
        }
    }

    /**
     * Applies a write request (Put, DeleteRange or Txn) inside {@code txn} and ends it there as
     * one request with its own revision; the caller commits. Many requests of one Raft entry
     * share one transaction this way, so the entry reaches the engine as one batch with its
     * index. A refused request changes nothing and yields its error.
     */
    public Applied applyWrite(WriteTxn txn, Command command) {
        try {
            if (command instanceof Put p) {
                checkLease(p);
                PutResponse resp = put(txn, p);
                metrics.put();
                return Applied.ok(resp, txn.endRequest().events());
            } else if (command instanceof DeleteRange d) {
                DeleteRangeResponse resp = deleteRange(txn, d);
                metrics.delete();
                return Applied.ok(resp, txn.endRequest().events());
            } else if (command instanceof Txn t) {
                return txn(txn, t);
            }
        } catch (EtcdException | MvccException e) {
            if (txn.changes() != 0) {
                throw new IllegalStateException("request refused after changing the store: " + command, e);
            }
            return Applied.failed(e);
        }
        throw new IllegalArgumentException("not a KV write: " + command.getClass().getSimpleName());
    }

    /** Answers a range outside the log from the store as it is now; the header carries only the revision. */
    public RangeResponse range(Range r) {
        RangeResponse resp = range(store::range, r);
        metrics.range();
        return resp;
    }

    /** Answers a read-only txn outside the log, at the current revision, without the write lock. */
    public TxnResponse readOnlyTxn(Txn t) {
        long rev = store.currentRevision();
        View view = q -> pinned(store.range(q.revision() > 0 ? q : q.atRevision(rev)), rev);
        List<Boolean> path = new ArrayList<>();
        compareToPath(view, t, path);
        checkRanges(t, path, new int[] {0}, rev);
        TxnResponse.Builder resp = TxnResponse.newBuilder();
        runTxn(null, view, t, path, new int[] {0}, resp);
        metrics.txn();
        return resp.setHeader(header(rev)).build();
    }

    /** Whether a txn only reads, in every branch at every depth (etcd's {@code isTxnReadonly}). */
    public static boolean isReadOnly(Txn t) {
        for (List<TxnOp> ops : List.of(t.success(), t.failure())) {
            for (TxnOp op : ops) {
                if (op instanceof Put || op instanceof DeleteRange) {
                    return false;
                }
                if (op instanceof Txn nested && !isReadOnly(nested)) {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ single requests

    private Applied compact(Compact c, long index) {
        CompletableFuture<Void> physical = store.compact(c.revision(), index);
        CompactionResponse resp = CompactionResponse.newBuilder().setHeader(header(store.currentRevision())).build();
        return new Applied(resp, null, List.of(), physical);
    }

    /** Records that the entry at {@code index} was applied, changing nothing else. */
    void markApplied(long index) {
        try (WriteTxn txn = store.beginWrite()) {
            txn.commit(index);
        }
    }

    // ------------------------------------------------------------------ transactions

    /** A consistent read view for compares and ranges. */
    @FunctionalInterface
    private interface View {
        RangeResult range(RangeQuery q);
    }

    private Applied txn(WriteTxn txn, Txn t) {
        View view = txn::range;
        long before = txn.revision();
        List<Boolean> path = new ArrayList<>();
        compareToPath(view, t, path);
        checkPuts(t, path, new int[] {0}, view);
        checkRanges(t, path, new int[] {0}, before);
        TxnResponse.Builder resp = TxnResponse.newBuilder();
        runTxn(txn, view, t, path, new int[] {0}, resp);
        metrics.txn();
        WriteResult w = txn.endRequest();
        resp.setHeader(header(w.revision()));
        return Applied.ok(resp.build(), w.events());
    }

    private static void compareToPath(View view, Txn t, List<Boolean> path) {
        boolean ok = true;
        for (Compare c : t.compare()) {
            if (!compare(view, c)) {
                ok = false;
                break;
            }
        }
        path.add(ok);
        for (TxnOp op : ok ? t.success() : t.failure()) {
            if (op instanceof Txn nested) {
                compareToPath(view, nested, path);
            }
        }
    }

    private static boolean compare(View view, Compare c) {
        RangeResult rr = view.range(RangeQuery.of(c.key(), c.rangeEnd()));
        if (rr.kvs().isEmpty()) {
            // A missing key has no value to compare (etcd: nil == empty in gRPC), so VALUE compares fail;
            // the other targets compare against zero.
            return c.target() != Compare.Target.VALUE && compare(c, null);
        }
        for (KeyValue kv : rr.kvs()) {
            if (!compare(c, kv)) {
                return false;
            }
        }
        return true;
    }

    private static boolean compare(Compare c, KeyValue kv) {
        int result = switch (c.target()) {
            case VALUE -> Arrays.compareUnsigned(kv == null ? new byte[0] : kv.value(), c.value());
            case VERSION -> Long.compare(kv == null ? 0 : kv.version(), c.number());
            case CREATE -> Long.compare(kv == null ? 0 : kv.createRevision(), c.number());
            case MOD -> Long.compare(kv == null ? 0 : kv.modRevision(), c.number());
            case LEASE -> Long.compare(kv == null ? 0 : kv.lease(), c.number());
        };
        return switch (c.result()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
        };
    }

    /** etcd's {@code checkRequests(checkPut)}: puts on the path, against the state before the txn. */
    private void checkPuts(Txn t, List<Boolean> path, int[] cursor, View view) {
        boolean ok = path.get(cursor[0]++);
        for (TxnOp op : ok ? t.success() : t.failure()) {
            if (op instanceof Put p) {
                if (p.ignoreValue() || p.ignoreLease()) {
                    if (view.range(RangeQuery.key(p.key())).kvs().isEmpty()) {
                        throw EtcdError.KEY_NOT_FOUND.exception();
                    }
                }
                checkLease(p);
            } else if (op instanceof Txn nested) {
                checkPuts(nested, path, cursor, view);
            }
        }
    }

    /** etcd's {@code checkRequests(checkRange)}: no range on the path may ask for a future or compacted revision. */
    private void checkRanges(Txn t, List<Boolean> path, int[] cursor, long current) {
        boolean ok = path.get(cursor[0]++);
        for (TxnOp op : ok ? t.success() : t.failure()) {
            if (op instanceof Range r) {
                if (r.revision() > current) {
                    throw EtcdError.FUTURE_REV.exception();
                }
                if (r.revision() > 0 && r.revision() < store.compactRevision()) {
                    throw EtcdError.COMPACTED.exception();
                }
            } else if (op instanceof Txn nested) {
                checkRanges(nested, path, cursor, current);
            }
        }
    }

    private void runTxn(WriteTxn txn, View view, Txn t, List<Boolean> path, int[] cursor, TxnResponse.Builder resp) {
        boolean ok = path.get(cursor[0]++);
        resp.setSucceeded(ok);
        for (TxnOp op : ok ? t.success() : t.failure()) {
            ResponseOp.Builder r = ResponseOp.newBuilder();
            if (op instanceof Range range) {
                r.setResponseRange(range(view, range));
                metrics.range();
            } else if (op instanceof Put p) {
                r.setResponsePut(put(txn, p));
                metrics.put();
            } else if (op instanceof DeleteRange d) {
                r.setResponseDeleteRange(deleteRange(txn, d));
                metrics.delete();
            } else if (op instanceof Txn nested) {
                TxnResponse.Builder inner = TxnResponse.newBuilder().setHeader(ResponseHeader.getDefaultInstance());
                runTxn(txn, view, nested, path, cursor, inner);
                r.setResponseTxn(inner);
            }
            resp.addResponses(r);
        }
    }

    // ------------------------------------------------------------------ operations

    private void checkLease(Put p) {
        if (p.lease() != 0 && !leases.exists(p.lease())) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
    }

    private static PutResponse put(WriteTxn txn, Put p) {
        PutResult r = txn.put(p.key(), p.value(), p.lease(), p.ignoreValue(), p.ignoreLease(), p.prevKv());
        PutResponse.Builder resp = PutResponse.newBuilder().setHeader(header(r.revision()));
        if (p.prevKv() && r.prevKv() != null) {
            resp.setPrevKv(toProto(r.prevKv()));
        }
        return resp.build();
    }

    private static DeleteRangeResponse deleteRange(WriteTxn txn, DeleteRange d) {
        DeleteResult r = txn.deleteRange(d.key(), d.rangeEnd(), d.prevKv());
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder()
                .setHeader(header(r.revision()))
                .setDeleted(r.deleted());
        if (d.prevKv()) {
            r.prevKvs().forEach(kv -> resp.addPrevKvs(toProto(kv)));
        }
        return resp.build();
    }

    /** Answers a range through a read view; the header carries the view's revision. */
    private static RangeResponse range(View view, Range r) {
        RangeResult rr = view.range(toQuery(r));
        RangeResponse.Builder resp = RangeResponse.newBuilder()
                .setHeader(header(rr.revision()))
                .setCount(rr.count())
                .setMore(rr.more());
        rr.kvs().forEach(kv -> resp.addKvs(toProto(kv)));
        return resp.build();
    }

    private static RangeResult pinned(RangeResult r, long rev) {
        return new RangeResult(r.kvs(), r.count(), r.more(), rev);
    }

    /** The command's range as the store's query (the two enums share etcd's numbering). */
    public static RangeQuery toQuery(Range r) {
        return new RangeQuery(r.key(), r.rangeEnd(), r.limit(), r.revision(),
                RangeQuery.SortOrder.values()[r.sortOrder().ordinal()],
                RangeQuery.SortTarget.values()[r.sortTarget().ordinal()],
                r.keysOnly(), r.countOnly(), r.minModRevision(), r.maxModRevision(),
                r.minCreateRevision(), r.maxCreateRevision());
    }

    static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }

    /** The store's key-value as etcd's message, sharing the (immutable) arrays rather than copying them. */
    public static io.etcd.jetcd.api.KeyValue toProto(KeyValue kv) {
        return io.etcd.jetcd.api.KeyValue.newBuilder()
                .setKey(wrap(kv.key()))
                .setCreateRevision(kv.createRevision())
                .setModRevision(kv.modRevision())
                .setVersion(kv.version())
                .setValue(wrap(kv.value()))
                .setLease(kv.lease())
                .build();
    }

    private static ByteString wrap(byte[] b) {
        return b.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(b);
    }
}
