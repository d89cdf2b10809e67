package io.metastore.server.grpc;

import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleAddResponse;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleDeleteResponse;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGetResponse;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionResponse;
import io.etcd.jetcd.api.AuthRoleListRequest;
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
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserListResponse;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleResponse;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.auth.RaftAuth;

import java.util.concurrent.CompletableFuture;

/** etcd's {@code etcdserverpb.Auth} service: each handler delegates with the caller's identity. */
final class AuthService extends AuthGrpc.AuthImplBase {
    private final RaftAuth auth;

    AuthService(RaftAuth auth) {
        this.auth = auth;
    }

    @Override
    public void authEnable(AuthEnableRequest r, StreamObserver<AuthEnableResponse> o) {
        Answer.with(o, () -> auth.enable(Caller.user()));
    }

    @Override
    public void authDisable(AuthDisableRequest r, StreamObserver<AuthDisableResponse> o) {
        Answer.with(o, () -> auth.disable(Caller.user()));
    }

    @Override
    public void authenticate(AuthenticateRequest r, StreamObserver<AuthenticateResponse> o) {
        Answer.with(o, () -> auth.authenticate(r));
    }

    @Override
    public void userAdd(AuthUserAddRequest r, StreamObserver<AuthUserAddResponse> o) {
        Answer.with(o, () -> auth.userAdd(Caller.user(), r));
    }

    @Override
    public void userGet(AuthUserGetRequest r, StreamObserver<AuthUserGetResponse> o) {
        Answer.with(o, () -> CompletableFuture.completedFuture(auth.userGet(Caller.user(), r)));
    }

    @Override
    public void userList(AuthUserListRequest r, StreamObserver<AuthUserListResponse> o) {
        Answer.with(o, () -> CompletableFuture.completedFuture(auth.userList(Caller.user())));
    }

    @Override
    public void userDelete(AuthUserDeleteRequest r, StreamObserver<AuthUserDeleteResponse> o) {
        Answer.with(o, () -> auth.userDelete(Caller.user(), r));
    }

    @Override
    public void userChangePassword(AuthUserChangePasswordRequest r, StreamObserver<AuthUserChangePasswordResponse> o) {
        Answer.with(o, () -> auth.userChangePassword(Caller.user(), r));
    }

    @Override
    public void userGrantRole(AuthUserGrantRoleRequest r, StreamObserver<AuthUserGrantRoleResponse> o) {
        Answer.with(o, () -> auth.userGrantRole(Caller.user(), r));
    }

    @Override
    public void userRevokeRole(AuthUserRevokeRoleRequest r, StreamObserver<AuthUserRevokeRoleResponse> o) {
        Answer.with(o, () -> auth.userRevokeRole(Caller.user(), r));
    }

    @Override
    public void roleAdd(AuthRoleAddRequest r, StreamObserver<AuthRoleAddResponse> o) {
        Answer.with(o, () -> auth.roleAdd(Caller.user(), r));
    }

    @Override
    public void roleGet(AuthRoleGetRequest r, StreamObserver<AuthRoleGetResponse> o) {
        Answer.with(o, () -> CompletableFuture.completedFuture(auth.roleGet(Caller.user(), r)));
    }

    @Override
    public void roleList(AuthRoleListRequest r, StreamObserver<AuthRoleListResponse> o) {
        Answer.with(o, () -> CompletableFuture.completedFuture(auth.roleList(Caller.user())));
    }

    @Override
    public void roleDelete(AuthRoleDeleteRequest r, StreamObserver<AuthRoleDeleteResponse> o) {
        Answer.with(o, () -> auth.roleDelete(Caller.user(), r));
    }

    @Override
    public void roleGrantPermission(AuthRoleGrantPermissionRequest r, StreamObserver<AuthRoleGrantPermissionResponse> o) {
        Answer.with(o, () -> auth.roleGrantPermission(Caller.user(), r));
    }

    @Override
    public void roleRevokePermission(AuthRoleRevokePermissionRequest r,
                                     StreamObserver<AuthRoleRevokePermissionResponse> o) {
        Answer.with(o, () -> auth.roleRevokePermission(Caller.user(), r));
    }
}
