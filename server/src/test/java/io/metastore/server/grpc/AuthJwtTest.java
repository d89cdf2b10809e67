package io.metastore.server.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.auth.AuthStore;
import io.metastore.server.auth.JwtTokens;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** JWT tokens: signed, valid across restarts without the log, invalid after a password change or with another key. */
class AuthJwtTest {
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
        return AuthGrpc.newBlockingStub(channel).authenticate(AuthenticateRequest.newBuilder().setName(user)
                .setPassword(password).build()).getToken();
    }

    @Test
    void jwtTokensOutliveARestartAndDieWithThePasswordOrAnotherKey() throws Exception {
        Path key = dir.resolve("jwt.key");
        Files.write(key, "a shared secret of enough length!".getBytes());
        ServerConfig config = TestServers.singleNode(dir.resolve("m1"), "--storage", "rocksdb",
                "--auth-token", "jwt,sign-method=HS256,priv-key=" + key + ",ttl=10m");
        start(config);
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("bob").setPassword("bobpw").build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        String root = login("root", "pw");
        String bob = login("bob", "bobpw");
        assertEquals(3, root.split("\\.").length, "a JWT");
        AuthServiceTest.as(KVGrpc.newBlockingStub(channel), root).put(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());

        channel.shutdownNow();
        server.close();
        start(config);
        assertEquals(1, AuthServiceTest.as(KVGrpc.newBlockingStub(channel), root)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).getCount(),
                "the token is still valid after a restart");

        AuthServiceTest.as(AuthGrpc.newBlockingStub(channel), root).userChangePassword(AuthUserChangePasswordRequest
                .newBuilder().setName("bob").setPassword("new").build());
        StatusRuntimeException stale = assertThrows(StatusRuntimeException.class, () -> AuthServiceTest.as(
                KVGrpc.newBlockingStub(channel), bob).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, stale.getStatus().getCode());

        String forged = new JwtTokens("HS256", "another secret entirely, not ours".getBytes(), Duration.ofMinutes(5))
                .issue(new AuthStore.User("root", "x", false, List.of("root")));
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> AuthServiceTest.as(
                KVGrpc.newBlockingStub(channel), forged).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
        assertEquals("etcdserver: invalid auth token", bad.getStatus().getDescription());
    }
}
