package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Concurrent clients doing linearizable reads, puts, compare-and-swap transactions (on the value,
 * or on the mod revision that went with it) and deletes on a small key set, each operation recorded in the {@link History}. A client talks
 * to one member at a time and moves to a random other one after an error.
 *
 * <p>Outcomes: an answer is OK; a refusal that certainly happened before anything was proposed
 * (the connection was refused, or etcd's invalid-argument / too-many-requests answers) is FAILED;
 * anything else, a deadline included, is UNKNOWN: the write may or may not have been applied.
 */
public final class Workload implements AutoCloseable {
    private final ProcessCluster cluster;
    private final History history;
    private final List<String> keys;
    private final int clients;
    private final long deadlineMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    public Workload(ProcessCluster cluster, History history, int keys, int clients, long deadlineMillis) {
        this.cluster = cluster;
        this.history = history;
        this.keys = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            this.keys.add("reg/" + i);
        }
        this.clients = clients;
        this.deadlineMillis = deadlineMillis;
    }

    public List<String> keys() {
        return keys;
    }

    public void start(long seed) {
        for (int c = 0; c < clients; c++) {
            int id = c;
            Random random = new Random(seed * 31 + c);
            Thread t = new Thread(() -> runClient(id, random), "client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void runClient(int id, Random random) {
        int member = id % cluster.size();
        Map<String, String> lastSeen = new HashMap<>();
        Map<String, Long> lastRevision = new HashMap<>();
        long n = 0;
        while (running.get()) {
            String key = keys.get(random.nextInt(keys.size()));
            int dice = random.nextInt(100);
            Op.Kind kind = dice < 35 ? Op.Kind.READ : dice < 65 ? Op.Kind.WRITE : dice < 85 ? Op.Kind.CAS : Op.Kind.DELETE;
            if (kind == Op.Kind.CAS && lastSeen.get(key) == null) {
                kind = Op.Kind.READ;
            }
            String value = "c" + id + "-" + n++;
            String expected = lastSeen.get(key);
            // half the CASes compare the mod revision that went with the value: values are unique, so
            // "mod_revision == R" holds exactly when "value == the value written at R" does
            long byRevision = kind == Op.Kind.CAS && random.nextBoolean() ? lastRevision.getOrDefault(key, 0L) : 0;
            long[] readModRevision = new long[1];
            Op op = call(id, member, kind, key, value, expected, byRevision, readModRevision);
            history.add(op);
            if (op.outcome() == Op.Outcome.OK) {
                switch (op.kind()) {
                    case READ -> lastSeen.put(key, op.read());
                    case WRITE -> lastSeen.put(key, value);
                    case CAS -> lastSeen.put(key, op.succeeded() ? value : null);
                    case DELETE -> lastSeen.remove(key);
                }
                lastRevision.put(key, op.kind() == Op.Kind.READ ? readModRevision[0] : op.revision());
            } else {
                lastSeen.remove(key);
                member = random.nextInt(cluster.size());
                ProcessCluster.sleep(50); // do not spin against a dead member
            }
        }
    }

    /** @param readModRevision set by a READ to the mod revision of the value it saw (0: absent) */
    private Op call(int client, int member, Op.Kind kind, String key, String value, String expected, long byRevision,
                    long[] readModRevision) {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.channel(member))
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
        ByteString k = ByteString.copyFromUtf8(key);
        long invoke = System.nanoTime();
        try {
            switch (kind) {
                case READ -> {
                    RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(k).build());
                    String seen = r.getKvsCount() == 0 ? null : r.getKvs(0).getValue().toStringUtf8();
                    readModRevision[0] = r.getKvsCount() == 0 ? 0 : r.getKvs(0).getModRevision();
                    return new Op(client, kind, key, null, null, Op.Outcome.OK, seen, false, 0,
                            r.getHeader().getRevision(), invoke, System.nanoTime());
                }
                case WRITE -> {
                    PutResponse r = kv.put(PutRequest.newBuilder().setKey(k).setValue(ByteString.copyFromUtf8(value)).build());
                    return new Op(client, kind, key, value, null, Op.Outcome.OK, null, false, 0,
                            r.getHeader().getRevision(), invoke, System.nanoTime());
                }
                case CAS -> {
                    Compare.Builder compare = Compare.newBuilder().setKey(k).setResult(Compare.CompareResult.EQUAL);
                    if (byRevision > 0) {
                        compare.setTarget(Compare.CompareTarget.MOD).setModRevision(byRevision);
                    } else {
                        compare.setTarget(Compare.CompareTarget.VALUE).setValue(ByteString.copyFromUtf8(expected));
                    }
                    TxnResponse r = kv.txn(TxnRequest.newBuilder()
                            .addCompare(compare)
                            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(k)
                                    .setValue(ByteString.copyFromUtf8(value))))
                            .build());
                    return new Op(client, kind, key, value, expected, Op.Outcome.OK, null, r.getSucceeded(), 0,
                            r.getHeader().getRevision(), invoke, System.nanoTime());
                }
                case DELETE -> {
                    DeleteRangeResponse r = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(k).build());
                    return new Op(client, kind, key, null, null, Op.Outcome.OK, null, false, r.getDeleted(),
                            r.getHeader().getRevision(), invoke, System.nanoTime());
                }
                default -> throw new IllegalStateException();
            }
        } catch (StatusRuntimeException e) {
            Op.Outcome outcome = definitelyNotApplied(e) ? Op.Outcome.FAILED : Op.Outcome.UNKNOWN;
            return new Op(client, kind, key, value, expected, outcome, null, false, 0, 0, invoke,
                    outcome == Op.Outcome.FAILED ? System.nanoTime() : Long.MAX_VALUE);
        }
    }

    /** Refusals that happen before a request can reach Raft. */
    static boolean definitelyNotApplied(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.RESOURCE_EXHAUSTED) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true; // never connected: the request was never sent
            }
        }
        return false;
    }

    /** Stops the clients and waits for their last operations to end. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.MILLISECONDS.toMillis(deadlineMillis * 3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
