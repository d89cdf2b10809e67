package io.metastore.server.auth;

import io.metastore.command.AuthChange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a user's roles allow an access to a key range, as etcd decides it: the user's
 * permissions of the wanted kind (READWRITE counts as both) are merged into intervals, and the
 * access is allowed when one merged interval covers the whole requested range. A permission
 * whose type etcd gives no name counts for neither kind. Users with the root role may do anything.
 *
 * <p>Ranges follow etcd's conventions: an empty end means the key alone; an end of
 * {@code "\0"} means every key from {@code key} on.
 */
public final class Permissions {
    private Permissions() {
    }

    public static boolean permitted(AuthStore.View view, String user, byte[] key, byte[] rangeEnd, boolean write) {
        AuthStore.User u = view.users().get(user);
        if (u == null) {
            return false;
        }
        if (u.roles().contains(AuthStore.ROOT)) {
            return true;
        }
        List<byte[][]> intervals = new ArrayList<>();
        for (String roleName : u.roles()) {
            AuthStore.Role role = view.roles().get(roleName);
            if (role == null) {
                continue;
            }
            for (AuthStore.Permission p : role.permissions()) {
                // a number etcd gives no name (null here) allows nothing, as in etcd's getMergedPerms
                AuthChange.PermissionType type = AuthChange.PermissionType.ofNumber(p.permType());
                boolean kind = type == AuthChange.PermissionType.READWRITE
                        || type == (write ? AuthChange.PermissionType.WRITE : AuthChange.PermissionType.READ);
                if (kind) {
                    intervals.add(new byte[][] {p.key(), end(p.key(), p.rangeEnd())});
                }
            }
        }
        byte[] wantEnd = end(key, rangeEnd);
        intervals.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        byte[] coveredFrom = null;
        byte[] coveredTo = null;
        for (byte[][] iv : intervals) {
            if (coveredTo != null && (coveredTo.length == 0 || Arrays.compareUnsigned(iv[0], coveredTo) <= 0)) {
                coveredTo = max(coveredTo, iv[1]);
            } else {
                if (coveredFrom != null && covers(coveredFrom, coveredTo, key, wantEnd)) {
                    return true;
                }
                coveredFrom = iv[0];
                coveredTo = iv[1];
            }
        }
        return coveredFrom != null && covers(coveredFrom, coveredTo, key, wantEnd);
    }

    /** The exclusive end of a range; an empty array stands for "no end". */
    private static byte[] end(byte[] key, byte[] rangeEnd) {
        if (rangeEnd.length == 0) {
            byte[] next = Arrays.copyOf(key, key.length + 1);
            return next;
        }
        if (rangeEnd.length == 1 && rangeEnd[0] == 0) {
            return new byte[0];
        }
        return rangeEnd;
    }

    private static byte[] max(byte[] a, byte[] b) {
        if (a.length == 0 || b.length == 0) {
            return new byte[0];
        }
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static boolean covers(byte[] from, byte[] to, byte[] key, byte[] end) {
        if (Arrays.compareUnsigned(from, key) > 0) {
            return false;
        }
        if (to.length == 0) {
            return true;
        }
        return end.length != 0 && Arrays.compareUnsigned(end, to) <= 0;
    }
}
