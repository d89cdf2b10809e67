package io.metastore.server.grpc;

import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.Permission;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.metastore.server.grpc.AuthServiceTest.as;
import static io.metastore.server.grpc.AuthServiceTest.assertEtcdError;
import static io.metastore.server.grpc.AuthServiceTest.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The auth store as a restarted member rebuilds it from its data directory. */
class AuthRecoveryTest {
    @TempDir
    Path dir;
    MetaStoreServer server;
    ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    void start(ServerConfig config) {
        server = TestServers.startAndAwaitLeader(config);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    String login(String user, String password) {
        return AuthGrpc.newBlockingStub(channel).authenticate(io.etcd.jetcd.api.AuthenticateRequest.newBuilder()
                .setName(user).setPassword(password).build()).getToken();
    }

    /**
     * A permission type etcd gives no name (7) is stored as granted, so after a restart RoleGet
     * still answers 7 and the permission still allows nothing, as etcd 3.4.23 keeps it.
     */
    @Test
    void aPermissionTypeEtcdGivesNoNameSurvivesARestart() {
        ServerConfig config = TestServers.singleNode(dir.resolve("m1"), "--storage", "rocksdb");
        start(config);
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("odd").build());
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("odd")
                .setPerm(Permission.newBuilder().setPermTypeValue(7).setKey(bs("k"))).build());
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("odd")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("r"))).build());
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("oddie").setPassword("oddpw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("oddie").setRole("odd").build());
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).build());
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("r")).setValue(bs("v")).build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());

        channel.shutdownNow();
        server.close();
        start(config);
        List<Permission> granted = List.of(Permission.newBuilder().setPermTypeValue(7).setKey(bs("k")).build(),
                Permission.newBuilder().setPermType(Permission.Type.READ).setKey(bs("r")).build());
        assertEquals(granted, as(AuthGrpc.newBlockingStub(channel), login("root", "pw"))
                .roleGet(AuthRoleGetRequest.newBuilder().setRole("odd").build()).getPermList());
        KVGrpc.KVBlockingStub oddie = as(KVGrpc.newBlockingStub(channel), login("oddie", "oddpw"));
        assertEquals(1, oddie.range(RangeRequest.newBuilder().setKey(bs("r")).build()).getCount());
        assertEtcdError(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
                () -> oddie.range(RangeRequest.newBuilder().setKey(bs("k")).build()));
    }
}
