package io.metastore.server.apply;

import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.command.MemberChange;
import io.metastore.command.Put;
import io.metastore.command.Txn;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.WriteResult;
import io.metastore.mvcc.WriteTxn;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.metastore.server.error.EtcdException;
import io.metastore.server.lease.Lease;
import io.metastore.server.lease.Lessor;
import io.metastore.server.member.MemberIds;
import io.metastore.server.auth.AuthStore;
import io.metastore.command.AuthChange;
import io.metastore.command.AlarmChange;
import io.metastore.server.alarm.Alarms;
import io.metastore.server.error.EtcdError;
import io.etcd.jetcd.api.AlarmResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import com.google.protobuf.Message;

/**
 * The one dispatch point from a committed Raft entry to the appliers. A single command is
 * applied on its own; a {@link Batch} is applied as one write transaction, each command its
 * own request with its own revision, committed with the entry's index in one engine batch —
 * so a crash leaves either the whole entry applied or none of it.
 *
 * <p>Runs on the apply thread only. A command it cannot apply is a broken invariant: it throws,
 * and the state machine stops the node.
 */
public final class Applier {

    private final MvccStore store;
    private final KvApplier kv;
    private final Lessor lessor;
    private final AuthStore auth;
    private final Alarms alarms;
    private final MemberIds memberIds;

    public Applier(MvccStore store, KvApplier kv, Lessor lessor, AuthStore auth, Alarms alarms, MemberIds memberIds) {
        this.store = store;
        this.kv = kv;
        this.lessor = lessor;
        this.auth = auth;
        this.alarms = alarms;
        this.memberIds = memberIds;
    }

    /** This member became leader (apply thread): leases get deadlines. */
    public void leaderStarted() {
        lessor.promote();
    }

    /** This member stopped leading (apply thread): no lease expires here. */
    public void leaderStopped() {
        lessor.demote();
    }

    /** Rebuilds what is derived from the store (leases, auth, alarms, member ids) after a snapshot replaced it. */
    public void reloaded() {
        lessor.recover(store);
        auth.recover(store);
        alarms.recover(store);
        memberIds.recover(store);
    }

    /** A change made inside a write transaction; it answers with a response built from the committed result. */
    @FunctionalInterface
    private interface Change {
        Function<WriteResult, Message> apply(WriteTxn txn);
    }

    /**
     * Applies one change as its own write transaction, committed with the entry's index. A
     * change refused with an etcd error has changed nothing; only the index is recorded.
     */
    private List<Applied> inOwnTxn(long index, Change change) {
        try (WriteTxn txn = store.beginWrite()) {
            try {
                Function<WriteResult, Message> answer = change.apply(txn);
                WriteResult w = txn.commit(index);
                return List.of(Applied.ok(answer.apply(w), w.events()));
            } catch (EtcdException e) {
                txn.commit(index);
                return List.of(Applied.failed(e));
            }
        }
    }

    /**
     * etcd's capped applier: while a NOSPACE alarm stands, puts and txns that put are refused
     * on every member alike (deletes, reads and compactions still apply, so space can be freed).
     */
    private boolean capped(Command c) {
        return alarms.nospaceRaised() && (c instanceof Put || (c instanceof Txn t && putsAnywhere(t)));
    }

    private static boolean putsAnywhere(Txn t) {
        for (List<io.metastore.command.TxnOp> ops : List.of(t.success(), t.failure())) {
            for (io.metastore.command.TxnOp op : ops) {
                if (op instanceof Put || (op instanceof Txn nested && putsAnywhere(nested))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a command may share a batch entry with others (it applies inside one write transaction). */
    public static boolean batchable(Command c) {
        return c instanceof Put || c instanceof DeleteRange || c instanceof Txn;
    }

    /** Applies the command of the entry at {@code index}; one result per command, in order. */
    public List<Applied> apply(Command command, long index) {
        if (command instanceof Batch b) {
            List<Applied> out = new ArrayList<>(b.commands().size());
            try (WriteTxn txn = store.beginWrite()) {
                for (Command c : b.commands()) {
                    if (!batchable(c)) {
                        throw new IllegalStateException("entry " + index + ": a batch cannot carry " + c);
                    }
                    out.add(capped(c) ? Applied.failed(EtcdError.NO_SPACE.exception()) : kv.applyWrite(txn, c));
                }
                txn.commit(index);
            }
            out.forEach(a -> lessor.onEvents(a.events()));
            return out;
        }
        if (command instanceof Put || command instanceof DeleteRange || command instanceof Txn
                || command instanceof Compact) {
            if (capped(command)) {
                kv.markApplied(index);
                return List.of(Applied.failed(EtcdError.NO_SPACE.exception()));
            }
            Applied a = kv.apply(command, index);
            lessor.onEvents(a.events());
            return List.of(a);
        }
        if (command instanceof LeaseGrant g) {
            return inOwnTxn(index, txn -> {
                if (alarms.nospaceRaised()) {
                    throw EtcdError.NO_SPACE.exception();
                }
                Lease l = lessor.grant(txn, g);
                return w -> LeaseGrantResponse.newBuilder().setHeader(KvApplier.header(w.revision()))
                        .setID(l.id()).setTTL(l.ttlSeconds()).build();
            });
        }
        if (command instanceof LeaseRevoke r) {
            Lease[] revoked = new Lease[1];
            List<Applied> out = inOwnTxn(index, txn -> {
                revoked[0] = lessor.revoke(txn, r);
                return w -> LeaseRevokeResponse.newBuilder().setHeader(KvApplier.header(w.revision())).build();
            });
            if (revoked[0] != null) {
                lessor.revokeCommitted(revoked[0]); // after the commit: a renewal waiting on it answers once the keys are gone
            }
            return out;
        }
        if (command instanceof AuthChange c) {
            return inOwnTxn(index, txn -> {
                auth.apply(txn, c);
                return w -> AuthResponses.of(c, KvApplier.header(w.revision()));
            });
        }
        if (command instanceof AlarmChange c) {
            return inOwnTxn(index, txn -> {
                alarms.apply(txn, c);
                return w -> {
                    AlarmResponse.Builder b = AlarmResponse.newBuilder().setHeader(KvApplier.header(w.revision()));
                    alarms.raised().forEach(raised -> b.addAlarms(raised.toProto()));
                    return b.build();
                };
            });
        }
        if (command instanceof MemberChange c) {
            // answered with the header alone: Membership builds etcd's answer after the configuration change
            return inOwnTxn(index, txn -> {
                memberIds.apply(txn, c);
                return w -> KvApplier.header(w.revision());
            });
        }
        throw new IllegalStateException("entry " + index + ": no applier for " + command.getClass().getSimpleName());
    }
}
