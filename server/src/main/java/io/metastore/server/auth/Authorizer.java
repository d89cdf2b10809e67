package io.metastore.server.auth;

import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.metastore.server.error.EtcdError;

import java.util.List;

/**
 * The permission checks etcd makes before serving a request when auth is enabled: a caller
 * without a token is refused with "user name is empty", one without the needed permission with
 * "permission denied". With auth disabled every check passes.
 */
public final class Authorizer {
    private final AuthStore store;
    private final java.util.function.LongFunction<List<byte[]>> leaseKeys;

    /** @param leaseKeys the keys attached to a lease on this member (none for an unknown lease) */
    public Authorizer(AuthStore store, java.util.function.LongFunction<List<byte[]>> leaseKeys) {
        this.store = store;
        this.leaseKeys = leaseKeys;
    }

    public boolean enabled() {
        return store.view().enabled();
    }

    public void range(String user, RangeRequest r) {
        if (!enabled()) {
            return; // before the keys are copied: every request passes here
        }
        check(user, r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), false);
    }

    public void put(String user, PutRequest r) {
        if (!enabled()) {
            return;
        }
        check(user, r.getKey().toByteArray(), new byte[0], true);
        if (r.getPrevKv()) {
            check(user, r.getKey().toByteArray(), new byte[0], false);
        }
    }

    /**
     * A Put on its own: as {@link #put}, and when it attaches a lease, write permission on every
     * key already on that lease, as etcd's {@code checkLeasePuts}: a user who could not revoke
     * the lease must not tie a key to it. etcd 3.4.23 makes this check for Put, not for the puts
     * of a txn; so does this server.
     */
    public void putAlone(String user, PutRequest r) {
        if (!enabled()) {
            return;
        }
        put(user, r);
        if (r.getLease() != 0) {
            for (byte[] k : leaseKeys.apply(r.getLease())) {
                check(user, k, new byte[0], true);
            }
        }
    }

    public void deleteRange(String user, DeleteRangeRequest r) {
        if (!enabled()) {
            return;
        }
        check(user, r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), true);
        if (r.getPrevKv()) {
            check(user, r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), false);
        }
    }

    /** Every compare needs read, and every operation of both branches its own permission, nested txns included. */
    public void txn(String user, TxnRequest t) {
        if (!enabled()) {
            return;
        }
        for (Compare c : t.getCompareList()) {
            check(user, c.getKey().toByteArray(), c.getRangeEnd().toByteArray(), false);
        }
        for (List<RequestOp> ops : List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : ops) {
                switch (op.getRequestCase()) {
                    case REQUEST_RANGE -> range(user, op.getRequestRange());
                    case REQUEST_PUT -> put(user, op.getRequestPut());
                    case REQUEST_DELETE_RANGE -> deleteRange(user, op.getRequestDeleteRange());
                    case REQUEST_TXN -> txn(user, op.getRequestTxn());
                    default -> {
                    }
                }
            }
        }
    }

    /** A lock or an election named {@code name} needs {@code write} (or read) permission on {@code name/}. */
    public void namespace(String user, byte[] name, boolean write) {
        if (!enabled()) {
            return;
        }
        byte[] prefix = java.util.Arrays.copyOf(name, name.length + 1);
        prefix[name.length] = '/';
        check(user, prefix, io.metastore.mvcc.Bytes.prefixEnd(prefix), write);
    }

    /**
     * Why a watch on a range may not be created on a stream opened with {@code token}, or
     * {@code null} when it may: read permission on the range, for the user the token stands for
     * now. As etcd's {@code isWatchPermitted}, the token is resolved again for every create, so a
     * stream whose token lapsed or was revoked (a password change, a deleted user) creates no more
     * watches: "invalid auth token"; without a token "user name is empty"; else "permission denied".
     */
    public EtcdError watchRefusal(String token, byte[] key, byte[] rangeEnd) {
        if (!enabled()) {
            return null;
        }
        String user = null;
        if (token != null && !token.isEmpty()) {
            user = store.userOf(token);
            if (user == null) {
                return EtcdError.INVALID_AUTH_TOKEN;
            }
        }
        try {
            check(user, key, rangeEnd, false);
            return null;
        } catch (io.metastore.server.error.EtcdException refused) {
            return refused.error();
        }
    }

    /** Revoking a lease needs write permission on every key attached to it. */
    public void leaseRevoke(String user, List<byte[]> keys) {
        for (byte[] k : keys) {
            check(user, k, new byte[0], true);
        }
    }

    /**
     * Lease listings (LeaseLeases, LeaseTimeToLive) need an authenticated user while auth is
     * enabled. etcd 3.4.23 answers them to anyone; later releases check TimeToLive with keys
     * ({@link #leaseKeys}) and this server also refuses both without a user, since lease ids are
     * what a caller needs to renew or inspect other users' leases.
     */
    public void authenticated(String user) {
        if (enabled() && (user == null || user.isEmpty())) {
            throw EtcdError.USER_EMPTY.exception();
        }
    }

    /**
     * The names of the keys attached to a lease are shown only to a caller who may read every one
     * of them, as etcd's {@code checkLeaseTimeToLive} (3.4.26, 3.5.9) decides a TimeToLive with keys.
     */
    public void leaseKeys(String user, List<byte[]> keys) {
        authenticated(user);
        for (byte[] k : keys) {
            check(user, k, new byte[0], false);
        }
    }

    /** Management operations (auth changes, snapshots, defragmentation, ...) need the root role. */
    public void admin(String user) {
        AuthStore.View v = store.view();
        if (!v.enabled()) {
            return;
        }
        if (user == null || user.isEmpty()) {
            throw EtcdError.USER_EMPTY.exception();
        }
        AuthStore.User u = v.users().get(user);
        if (u == null || !u.roles().contains(AuthStore.ROOT)) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }

    /** The caller is {@code name} or an administrator. */
    public void selfOrAdmin(String user, String name) {
        if (!enabled() || name.equals(user)) {
            return;
        }
        admin(user);
    }

    private void check(String user, byte[] key, byte[] rangeEnd, boolean write) {
        AuthStore.View v = store.view();
        if (!v.enabled()) {
            return;
        }
        if (user == null || user.isEmpty()) {
            throw EtcdError.USER_EMPTY.exception();
        }
        if (!Permissions.permitted(v, user, key, rangeEnd, write)) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }
}
