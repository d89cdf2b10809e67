package io.metastore.server.apply;

import com.google.protobuf.Message;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthRoleAddResponse;
import io.etcd.jetcd.api.AuthRoleDeleteResponse;
import io.etcd.jetcd.api.AuthRoleGrantPermissionResponse;
import io.etcd.jetcd.api.AuthRoleRevokePermissionResponse;
import io.etcd.jetcd.api.AuthUserAddResponse;
import io.etcd.jetcd.api.AuthUserChangePasswordResponse;
import io.etcd.jetcd.api.AuthUserDeleteResponse;
import io.etcd.jetcd.api.AuthUserGrantRoleResponse;
import io.etcd.jetcd.api.AuthUserRevokeRoleResponse;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.metastore.command.AuthChange;

/** etcd's response message for each applied auth change. */
final class AuthResponses {
    private AuthResponses() {
    }

    static Message of(AuthChange c, ResponseHeader h) {
        if (c instanceof AuthChange.Enable) {
            return AuthEnableResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.Disable) {
            return AuthDisableResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.Authenticate a) {
            return AuthenticateResponse.newBuilder().setHeader(h).setToken(a.token()).build();
        } else if (c instanceof AuthChange.UserAdd) {
            return AuthUserAddResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.UserDelete) {
            return AuthUserDeleteResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.UserChangePassword) {
            return AuthUserChangePasswordResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.UserGrantRole) {
            return AuthUserGrantRoleResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.UserRevokeRole) {
            return AuthUserRevokeRoleResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.RoleAdd) {
            return AuthRoleAddResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.RoleDelete) {
            return AuthRoleDeleteResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.RoleGrantPermission) {
            return AuthRoleGrantPermissionResponse.newBuilder().setHeader(h).build();
        } else if (c instanceof AuthChange.RoleRevokePermission) {
            return AuthRoleRevokePermissionResponse.newBuilder().setHeader(h).build();
        }
        throw new IllegalStateException("no response for " + c);
    }
}
