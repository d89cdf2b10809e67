package io.metastore.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleAddResponse;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleDeleteResponse;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGetResponse;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionResponse;
import io.etcd.jetcd.api.AuthRoleListResponse;
import io.etcd.jetcd.api.AuthRoleRevokePermissionRequest;
import io.etcd.jetcd.api.AuthRoleRevokePermissionResponse;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserAddResponse;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordResponse;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserDeleteResponse;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGetResponse;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleResponse;
import io.etcd.jetcd.api.AuthUserListResponse;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleResponse;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.metastore.codec.EntryCodec;
import io.metastore.codec.EntryDecoder;
import io.metastore.command.AuthChange;
import io.metastore.command.Command;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;
import io.metastore.server.kv.Headers;
import io.metastore.server.propose.Proposer;
import io.metastore.server.raft.ForwardProcessor;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.LeaderForwarder;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * etcd's Auth operations. Changes are checked (management needs the root role), passwords
 * hashed with bcrypt here on the receiving member, and the resulting {@link AuthChange}
 * proposed through the log — forwarded to the leader when this member does not lead. Reads
 * (user and role lookups) answer from this member's store.
 */
public final class RaftAuth {
    /** etcd's bcrypt cost. */
    static final int BCRYPT_COST = 10;
    /** The {@code options} field etcd 3.4 added to AuthUserAddRequest, and its {@code no_password} flag. */
    private static final int USER_ADD_OPTIONS_FIELD = 3;

    private final AuthStore store;
    private final Authorizer authorizer;
    private final Proposer proposer;
    private final LeaderForwarder forwarder;
    private final EntryCodec codec;
    private final EntryDecoder decoder;
    private final Headers headers;
    private final LongSupplier revision;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong tokenCounter = new AtomicLong();

    public RaftAuth(AuthStore store, Authorizer authorizer, Proposer proposer, LeaderForwarder forwarder,
                    EntryCodec codec, EntryDecoder decoder, Headers headers, LongSupplier revision) {
        this.store = store;
        this.authorizer = authorizer;
        this.proposer = proposer;
        this.forwarder = forwarder;
        this.codec = codec;
        this.decoder = decoder;
        this.headers = headers;
        this.revision = revision;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    public AuthStore store() {
        return store;
    }

    // ------------------------------------------------------------------ changes

    public CompletableFuture<AuthEnableResponse> enable(String caller) {
        authorizer.admin(caller);
        return change(new AuthChange.Enable(), AuthEnableResponse::parseFrom);
    }

    public CompletableFuture<AuthDisableResponse> disable(String caller) {
        authorizer.admin(caller);
        return change(new AuthChange.Disable(), AuthDisableResponse::parseFrom);
    }

    /** Checks the password here, then issues a token through the log so every member knows it. */
    public CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest r) {
        AuthStore.View v = store.view();
        if (!v.enabled()) {
            throw EtcdError.AUTH_NOT_ENABLED.exception();
        }
        AuthStore.User u = v.users().get(r.getName());
        if (u == null) {
            throw EtcdError.AUTH_FAILED.exception();
        }
        if (u.noPassword()) {
            throw EtcdError.NO_PASSWORD_USER.exception();
        }
        if (!BCrypt.verifyer().verify(r.getPassword().getBytes(StandardCharsets.UTF_8),
                u.passwordHash().getBytes(StandardCharsets.UTF_8)).verified) {
            throw EtcdError.AUTH_FAILED.exception();
        }
        if (store.jwt() != null) {
            // self-contained: any member with the same key verifies it, nothing goes through the log
            return CompletableFuture.completedFuture(AuthenticateResponse.newBuilder().setHeader(header())
                    .setToken(store.jwt().issue(u)).build());
        }
        byte[] secret = new byte[8];
        random.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret) + "." + tokenCounter.incrementAndGet();
        return change(new AuthChange.Authenticate(r.getName(), token), AuthenticateResponse::parseFrom);
    }

    public CompletableFuture<AuthUserAddResponse> userAdd(String caller, AuthUserAddRequest r) {
        authorizer.admin(caller);
        boolean noPassword = noPassword(r);
        String hash = noPassword ? "" : hash(r.getPassword());
        return change(new AuthChange.UserAdd(r.getName(), hash, noPassword), AuthUserAddResponse::parseFrom);
    }

    public CompletableFuture<AuthUserDeleteResponse> userDelete(String caller, AuthUserDeleteRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.UserDelete(r.getName()), AuthUserDeleteResponse::parseFrom);
    }

    public CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(String caller,
                                                                               AuthUserChangePasswordRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.UserChangePassword(r.getName(), hash(r.getPassword())),
                AuthUserChangePasswordResponse::parseFrom);
    }

    public CompletableFuture<AuthUserGrantRoleResponse> userGrantRole(String caller, AuthUserGrantRoleRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.UserGrantRole(r.getUser(), r.getRole()), AuthUserGrantRoleResponse::parseFrom);
    }

    public CompletableFuture<AuthUserRevokeRoleResponse> userRevokeRole(String caller, AuthUserRevokeRoleRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.UserRevokeRole(r.getName(), r.getRole()), AuthUserRevokeRoleResponse::parseFrom);
    }

    public CompletableFuture<AuthRoleAddResponse> roleAdd(String caller, AuthRoleAddRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.RoleAdd(r.getName()), AuthRoleAddResponse::parseFrom);
    }

    public CompletableFuture<AuthRoleDeleteResponse> roleDelete(String caller, AuthRoleDeleteRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.RoleDelete(r.getRole()), AuthRoleDeleteResponse::parseFrom);
    }

    public CompletableFuture<AuthRoleGrantPermissionResponse> roleGrantPermission(String caller,
                                                                                 AuthRoleGrantPermissionRequest r) {
        authorizer.admin(caller);
        // any number is granted as it is, as etcd does; one it gives no name allows nothing
        return change(new AuthChange.RoleGrantPermission(r.getName(), r.getPerm().getPermTypeValue(),
                r.getPerm().getKey().toByteArray(),
                r.getPerm().getRangeEnd().toByteArray()), AuthRoleGrantPermissionResponse::parseFrom);
    }

    public CompletableFuture<AuthRoleRevokePermissionResponse> roleRevokePermission(String caller,
                                                                                   AuthRoleRevokePermissionRequest r) {
        authorizer.admin(caller);
        return change(new AuthChange.RoleRevokePermission(r.getRole(), r.getKey().toByteArray(),
                r.getRangeEnd().toByteArray()), AuthRoleRevokePermissionResponse::parseFrom);
    }

    // ------------------------------------------------------------------ reads

    public AuthUserGetResponse userGet(String caller, AuthUserGetRequest r) {
        authorizer.selfOrAdmin(caller, r.getName());
        AuthStore.User u = store.view().users().get(r.getName());
        if (u == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        return AuthUserGetResponse.newBuilder().setHeader(header()).addAllRoles(u.roles()).build();
    }

    public AuthUserListResponse userList(String caller) {
        authorizer.admin(caller);
        return AuthUserListResponse.newBuilder().setHeader(header()).addAllUsers(store.view().users().keySet()).build();
    }

    public AuthRoleGetResponse roleGet(String caller, AuthRoleGetRequest r) {
        AuthStore.View v = store.view();
        AuthStore.User me = caller == null ? null : v.users().get(caller);
        if (me == null || !me.roles().contains(r.getRole())) {
            authorizer.admin(caller);
        }
        AuthStore.Role role = v.roles().get(r.getRole());
        if (role == null) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        AuthRoleGetResponse.Builder b = AuthRoleGetResponse.newBuilder().setHeader(header());
        for (AuthStore.Permission p : role.permissions()) {
            b.addPerm(io.etcd.jetcd.api.Permission.newBuilder().setPermTypeValue(p.permType())
                    .setKey(ByteString.copyFrom(p.key())).setRangeEnd(ByteString.copyFrom(p.rangeEnd())));
        }
        return b.build();
    }

    public AuthRoleListResponse roleList(String caller) {
        authorizer.admin(caller);
        return AuthRoleListResponse.newBuilder().setHeader(header()).addAllRoles(store.view().roles().keySet()).build();
    }

    /**
     * Registers what the leader runs for commands built by followers, and its check of the user the
     * follower names: every auth and alarm change needs root, as where it was received, except a
     * token issued for a password the receiving member verified.
     */
    public void serveForwarded(ForwardProcessor processor) {
        processor.authorize(ForwardRequest.Kind.COMMAND, (user, b) -> {
            if (authorizer.enabled()
                    && !(decoder.decode(BytesValue.parseFrom(b).getValue().toByteArray()) instanceof AuthChange.Authenticate)) {
                authorizer.admin(user);
            }
        });
        processor.on(ForwardRequest.Kind.COMMAND, b -> {
            Command c = decoder.decode(BytesValue.parseFrom(b).getValue().toByteArray());
            if (!(c instanceof AuthChange) && !(c instanceof io.metastore.command.AlarmChange)) {
                throw new IllegalArgumentException("only auth and alarm changes are forwarded as commands, got " + c);
            }
            return proposer.propose(c).thenApply(a -> a.orThrow().response());
        });
    }

    // ------------------------------------------------------------------ helpers

    /** Proposes an alarm change (from the Maintenance service), forwarded like auth changes. */
    public CompletableFuture<io.etcd.jetcd.api.AlarmResponse> alarm(String caller, io.metastore.command.AlarmChange c) {
        authorizer.admin(caller);
        return change(c, io.etcd.jetcd.api.AlarmResponse::parseFrom);
    }

    /**
     * Proposes a change here or on the leader. Applied locally, the response is already the
     * message {@code parser} reads ({@link io.metastore.server.apply.AuthResponses} builds the
     * type the request expects), so it is used as it is.
     */
    @SuppressWarnings("unchecked")
    private <T extends Message> CompletableFuture<T> change(Command c, LeaderForwarder.Parser<T> parser) {
        BytesValue encoded = BytesValue.of(ByteString.copyFrom(codec.encode(c)));
        return forwarder.route(() -> proposer.propose(c).thenApply(a -> (T) a.orThrow().response()),
                ForwardRequest.Kind.COMMAND, encoded, parser).thenApply(headers::restamp);
    }

    private ResponseHeader header() {
        return headers.at(revision.getAsLong());
    }

    private static String hash(String password) {
        return BCrypt.withDefaults().hashToString(BCRYPT_COST, password.toCharArray());
    }

    private static boolean noPassword(AuthUserAddRequest r) {
        var options = r.getUnknownFields().getField(USER_ADD_OPTIONS_FIELD);
        if (options == null || options.getLengthDelimitedList().isEmpty()) {
            return false;
        }
        try {
            var parsed = com.google.protobuf.UnknownFieldSet.parseFrom(options.getLengthDelimitedList().get(0));
            var flag = parsed.getField(1);
            return flag != null && !flag.getVarintList().isEmpty() && flag.getVarintList().get(0) != 0;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

}
