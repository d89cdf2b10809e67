package io.metastore.server.auth;

import com.google.gson.Gson;
import io.metastore.command.AuthChange;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.WriteTxn;
import io.metastore.server.error.EtcdError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * etcd's auth store: users (bcrypt password hashes, roles), roles (key-range permissions), the
 * enabled flag, and the simple tokens handed out by Authenticate.
 *
 * <p>Users, roles and the flag are replicated: changed only by the apply thread from committed
 * {@link AuthChange} entries, and stored as auxiliary records ({@code auth/enabled},
 * {@code auth/user/NAME}, {@code auth/role/NAME}, JSON) in the same engine batch as the entry,
 * so they survive restarts and travel in snapshots. Tokens are issued through the log too (the
 * proposer picks them), so a token works on every member; they live in memory only and lapse
 * after {@code tokenTtl} without use, as etcd's simple tokens do.
 *
 * <p>Threading: the apply thread writes; request threads read through immutable snapshots of
 * the tables ({@link #view()}).
 */
public final class AuthStore {
    public static final String ROOT = "root";
    private static final byte[] PREFIX = "auth/".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new Gson();

    /** A user as stored. */
    public record User(String name, String passwordHash, boolean noPassword, List<String> roles) {
    }

    /**
     * One permission of a role: the kind etcd numbers {@code permType} over {@code [key, rangeEnd)}
     * (empty end: the key alone). The number is kept as granted even when etcd gives it no name
     * ({@link AuthChange.PermissionType}); such a permission allows nothing.
     */
    public record Permission(int permType, byte[] key, byte[] rangeEnd) {
    }

    /** A role as stored, its permissions ordered by key then range end. */
    public record Role(String name, List<Permission> permissions) {
    }

    /** An immutable picture of the store for request threads. */
    public record View(boolean enabled, Map<String, User> users, Map<String, Role> roles) {
    }

    /**
     * A permission as stored: {@code type} is the kind's name ({@code "READ"}), or for a number etcd
     * gives no name, that number in decimal ({@code "7"}).
     */
    private record StoredPermission(String type, String key, String rangeEnd) {
    }

    private record StoredRole(String name, List<StoredPermission> permissions) {
    }

    private record Token(String user, long[] lastUse) {
    }

    private volatile View view = new View(false, Map.of(), Map.of());
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final long tokenTtlNanos;

    private final JwtTokens jwt;

    public AuthStore(LongSupplier nanoClock, long tokenTtlSeconds) {
        this(nanoClock, tokenTtlSeconds, null);
    }

    /** {@code jwt}: JWT tokens instead of simple ones ({@code null}: simple tokens). */
    public AuthStore(LongSupplier nanoClock, long tokenTtlSeconds, JwtTokens jwt) {
        this.clock = nanoClock;
        this.tokenTtlNanos = TimeUnit.SECONDS.toNanos(tokenTtlSeconds);
        this.jwt = jwt;
    }

    /** The JWT issuer, or {@code null} with simple tokens. */
    public JwtTokens jwt() {
        return jwt;
    }

    public View view() {
        return view;
    }

    /** The user a token stands for, renewing its lifetime; {@code null} for an unknown or lapsed token. */
    public String userOf(String token) {
        if (jwt != null) {
            return jwt.userOf(token, view);
        }
        Token t = tokens.get(token);
        if (t == null) {
            return null;
        }
        long now = clock.getAsLong();
        synchronized (t) {
            if (now - t.lastUse[0] > tokenTtlNanos) {
                tokens.remove(token);
                return null;
            }
            t.lastUse[0] = now;
        }
        return view.users().containsKey(t.user) ? t.user : null;
    }

    // ------------------------------------------------------------------ apply thread

    /** Rebuilds the tables from the store (start-up, snapshot installed); tokens are dropped. */
    public void recover(MvccStore store) {
        boolean[] enabled = {false};
        Map<String, User> users = new TreeMap<>();
        Map<String, Role> roles = new TreeMap<>();
        store.scanAux(PREFIX, (k, v) -> {
            String key = new String(k, StandardCharsets.UTF_8).substring(PREFIX.length);
            String json = new String(v, StandardCharsets.UTF_8);
            if (key.equals("enabled")) {
                enabled[0] = Boolean.parseBoolean(json);
            } else if (key.startsWith("user/")) {
                User u = GSON.fromJson(json, User.class);
                users.put(u.name(), u);
            } else if (key.startsWith("role/")) {
                StoredRole r = GSON.fromJson(json, StoredRole.class);
                List<Permission> perms = new ArrayList<>();
                r.permissions().forEach(p -> perms.add(new Permission(permType(p.type()),
                        java.util.Base64.getDecoder().decode(p.key()), java.util.Base64.getDecoder().decode(p.rangeEnd()))));
                roles.put(r.name(), new Role(r.name(), perms));
            }
            return true;
        });
        tokens.clear();
        view = new View(enabled[0], Collections.unmodifiableMap(users), Collections.unmodifiableMap(roles));
    }

    /** Applies one change inside {@code txn}; a refused change throws the etcd error and changes nothing. */
    public void apply(WriteTxn txn, AuthChange change) {
        View v = view;
        Map<String, User> users = new TreeMap<>(v.users());
        Map<String, Role> roles = new TreeMap<>(v.roles());
        boolean enabled = v.enabled();
        if (change instanceof AuthChange.Enable e) {
            User root = users.get(ROOT);
            if (root == null) {
                throw EtcdError.ROOT_USER_NOT_EXIST.exception();
            }
            if (!root.roles().contains(ROOT)) {
                throw EtcdError.ROOT_ROLE_NOT_EXIST.exception();
            }
            enabled = true;
            txn.putAux(key("enabled"), bytes("true"));
        } else if (change instanceof AuthChange.Disable d) {
            enabled = false;
            txn.putAux(key("enabled"), bytes("false"));
            tokens.clear();
        } else if (change instanceof AuthChange.Authenticate a) {
            if (!enabled) {
                throw EtcdError.AUTH_NOT_ENABLED.exception();
            }
            if (!users.containsKey(a.user())) {
                throw EtcdError.AUTH_FAILED.exception();
            }
            tokens.put(a.token(), new Token(a.user(), new long[] {clock.getAsLong()}));
        } else if (change instanceof AuthChange.UserAdd a) {
            if (a.name().isEmpty()) {
                throw EtcdError.USER_EMPTY.exception();
            }
            if (users.containsKey(a.name())) {
                throw EtcdError.USER_ALREADY_EXIST.exception();
            }
            putUser(txn, users, new User(a.name(), a.passwordHash(), a.noPassword(), List.of()));
        } else if (change instanceof AuthChange.UserDelete d) {
            if (enabled && d.name().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            if (users.remove(d.name()) == null) {
                throw EtcdError.USER_NOT_FOUND.exception();
            }
            txn.deleteAux(key("user/" + d.name()));
            dropTokens(d.name());
        } else if (change instanceof AuthChange.UserChangePassword c) {
            User u = user(users, c.name());
            putUser(txn, users, new User(u.name(), c.passwordHash(), false, u.roles()));
            dropTokens(c.name());
        } else if (change instanceof AuthChange.UserGrantRole g) {
            User u = user(users, g.user());
            if (!g.role().equals(ROOT) && !roles.containsKey(g.role())) {
                throw EtcdError.ROLE_NOT_FOUND.exception();
            }
            if (!u.roles().contains(g.role())) {
                TreeSet<String> rs = new TreeSet<>(u.roles());
                rs.add(g.role());
                putUser(txn, users, new User(u.name(), u.passwordHash(), u.noPassword(), List.copyOf(rs)));
            }
        } else if (change instanceof AuthChange.UserRevokeRole r) {
            User u = user(users, r.name());
            if (enabled && r.name().equals(ROOT) && r.role().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            if (!u.roles().contains(r.role())) {
                throw EtcdError.ROLE_NOT_GRANTED.exception();
            }
            List<String> rs = new ArrayList<>(u.roles());
            rs.remove(r.role());
            putUser(txn, users, new User(u.name(), u.passwordHash(), u.noPassword(), List.copyOf(rs)));
        } else if (change instanceof AuthChange.RoleAdd a) {
            if (a.name().isEmpty()) {
                throw EtcdError.ROLE_EMPTY.exception();
            }
            if (roles.containsKey(a.name())) {
                throw EtcdError.ROLE_ALREADY_EXIST.exception();
            }
            putRole(txn, roles, new Role(a.name(), List.of()));
        } else if (change instanceof AuthChange.RoleDelete d) {
            if (enabled && d.role().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            if (roles.remove(d.role()) == null) {
                throw EtcdError.ROLE_NOT_FOUND.exception();
            }
            txn.deleteAux(key("role/" + d.role()));
            for (User u : List.copyOf(users.values())) {
                if (u.roles().contains(d.role())) {
                    List<String> rs = new ArrayList<>(u.roles());
                    rs.remove(d.role());
                    putUser(txn, users, new User(u.name(), u.passwordHash(), u.noPassword(), List.copyOf(rs)));
                }
            }
        } else if (change instanceof AuthChange.RoleGrantPermission g) {
            Role r = role(roles, g.name());
            List<Permission> perms = new ArrayList<>();
            for (Permission p : r.permissions()) {
                if (!(Arrays.equals(p.key(), g.key()) && Arrays.equals(p.rangeEnd(), g.rangeEnd()))) {
                    perms.add(p);
                }
            }
            perms.add(new Permission(g.permType(), g.key(), g.rangeEnd()));
            perms.sort((a, b) -> {
                int c = Arrays.compareUnsigned(a.key(), b.key());
                return c != 0 ? c : Arrays.compareUnsigned(a.rangeEnd(), b.rangeEnd());
            });
            putRole(txn, roles, new Role(r.name(), List.copyOf(perms)));
        } else if (change instanceof AuthChange.RoleRevokePermission rv) {
            Role r = role(roles, rv.role());
            List<Permission> perms = new ArrayList<>(r.permissions());
            if (!perms.removeIf(p -> Arrays.equals(p.key(), rv.key()) && Arrays.equals(p.rangeEnd(), rv.rangeEnd()))) {
                throw EtcdError.PERMISSION_NOT_GRANTED.exception();
            }
            putRole(txn, roles, new Role(r.name(), List.copyOf(perms)));
        }
        view = new View(enabled, Collections.unmodifiableMap(users), Collections.unmodifiableMap(roles));
    }

    private static User user(Map<String, User> users, String name) {
        User u = users.get(name);
        if (u == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        return u;
    }

    private static Role role(Map<String, Role> roles, String name) {
        Role r = roles.get(name);
        if (r == null) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        return r;
    }

    private void dropTokens(String user) {
        tokens.values().removeIf(t -> t.user().equals(user));
    }

    private static void putUser(WriteTxn txn, Map<String, User> users, User u) {
        users.put(u.name(), u);
        txn.putAux(key("user/" + u.name()), bytes(GSON.toJson(u)));
    }

    private static void putRole(WriteTxn txn, Map<String, Role> roles, Role r) {
        roles.put(r.name(), r);
        List<StoredPermission> stored = new ArrayList<>();
        r.permissions().forEach(p -> stored.add(new StoredPermission(AuthChange.PermissionType.describe(p.permType()),
                java.util.Base64.getEncoder().encodeToString(p.key()),
                java.util.Base64.getEncoder().encodeToString(p.rangeEnd()))));
        txn.putAux(key("role/" + r.name()), bytes(GSON.toJson(new StoredRole(r.name(), stored))));
    }

    /** The number of a stored permission type (see {@link StoredPermission}). */
    private static int permType(String stored) {
        for (AuthChange.PermissionType t : AuthChange.PermissionType.values()) {
            if (t.name().equals(stored)) {
                return t.number();
            }
        }
        return Integer.parseInt(stored);
    }

    private static byte[] key(String suffix) {
        return bytes("auth/" + suffix);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
