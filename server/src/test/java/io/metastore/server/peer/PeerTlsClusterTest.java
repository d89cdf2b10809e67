package io.metastore.server.peer;

import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.api.PutRequest;
import io.grpc.netty.GrpcSslContexts;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.ForwardResponse;
import io.metastore.server.tls.TestCertificates;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members talking mutual TLS on their peer ports (etcd's {@code --peer-*} flags): they
 * replicate and forward as without it, and a process without a member certificate cannot get a
 * forged forwarded write (or anything else) through a peer port.
 */
class PeerTlsClusterTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates foreign;
    static final List<String> peers = new ArrayList<>();
    static final MetaStoreServer[] members = new MetaStoreServer[3];

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(Files.createDirectory(dir.resolve("certs")));
        foreign = new TestCertificates(Files.createDirectory(dir.resolve("foreign")));
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            members[i] = MetaStoreServer.start(config(i + 1));
        }
        TestServers.await(() -> leader() != null, "a leader");
    }

    @AfterAll
    static void stop() {
        for (MetaStoreServer m : members) {
            if (m != null) {
                m.close();
            }
        }
    }

    static ServerConfig config(int member, String... extra) {
        List<String> args = new ArrayList<>(List.of("--member-id", String.valueOf(member), "--cluster", String.join(",", peers),
                "--data-dir", dir.resolve("m" + member).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                "--storage", "memory", "--raft-sync", "false", "--election-timeout-ms", "1500",
                "--peer-cert-file", certs.peerCert.toString(), "--peer-key-file", certs.peerKey.toString(),
                "--peer-trusted-ca-file", certs.caCert.toString(), "--peer-client-cert-auth"));
        args.addAll(List.of(extra));
        return ((ConfigLoader.Run) ConfigLoader.load(args.toArray(String[]::new), Map.of())).config();
    }

    static MetaStoreServer leader() {
        for (MetaStoreServer m : members) {
            if (m != null && m.raft().isLeader()) {
                return m;
            }
        }
        return null;
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void membersReplicateAndForwardOverMutualTls() throws Exception {
        MetaStoreServer follower = members[0] == leader() ? members[1] : members[0];
        try (Client client = TestServers.client(follower.grpcPort())) {
            KV kv = client.getKVClient();
            for (int i = 0; i < 20; i++) {
                kv.put(io.etcd.jetcd.ByteSequence.from("tls/" + i, StandardCharsets.UTF_8),
                        io.etcd.jetcd.ByteSequence.from("v", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            }
        }
        for (MetaStoreServer m : members) {
            TestServers.await(() -> m.store().currentRevision() == leader().store().currentRevision(), "every member applied");
        }
        assertTrue(leader().store().currentRevision() >= 21);
    }

    /** A forwarded Put of {@code key}, as a follower sends it to the leader. */
    static ForwardRequest forgedPut(String key) {
        return ForwardRequest.newBuilder().setKind(ForwardRequest.Kind.PUT)
                .setRequest(PutRequest.newBuilder().setKey(bs(key)).setValue(bs("forged")).build().toByteString()).build();
    }

    static Object send(SslContext ssl, com.google.protobuf.Message request) throws Exception {
        return send(ssl, leader().config().raftAddress(), request);
    }

    /** {@code request} sent to the peer port at {@code address} over a connection made with {@code ssl}. */
    static Object send(SslContext ssl, String address, com.google.protobuf.Message request) throws Exception {
        PeerRpcFactory factory = (PeerRpcFactory) RpcFactoryHelper.rpcFactory();
        RpcClient client = new GrpcPeerClient(ssl, factory.messages(), null, false);
        client.init(new RpcOptions());
        try {
            String[] hp = address.split(":");
            return client.invokeSync(new Endpoint(hp[0], Integer.parseInt(hp[1])), request, 5000);
        } finally {
            client.shutdown();
        }
    }

    static boolean exists(String key) throws Exception {
        try (Client client = TestServers.client(leader().grpcPort())) {
            return client.getKVClient().get(io.etcd.jetcd.ByteSequence.from(key, StandardCharsets.UTF_8))
                    .get(30, TimeUnit.SECONDS).getCount() > 0;
        }
    }

    @Test
    void aProcessWithoutAMemberCertificateCannotForgeAForwardedWrite() throws Exception {
        // plaintext, as a forger who ignores TLS would try
        assertThrows(RemotingException.class, () -> send(null, forgedPut("forged/plain")));
        // TLS, trusting the members' CA, but presenting no certificate
        SslContext noCert = GrpcSslContexts.forClient().trustManager(certs.caCert.toFile()).build();
        assertThrows(RemotingException.class, () -> send(noCert, forgedPut("forged/nocert")));
        // a certificate for 127.0.0.1 from another CA
        SslContext otherCa = GrpcSslContexts.forClient().trustManager(certs.caCert.toFile())
                .keyManager(foreign.peerCert.toFile(), foreign.peerKey.toFile()).build();
        assertThrows(RemotingException.class, () -> send(otherCa, forgedPut("forged/foreign")));
        assertFalse(exists("forged/plain") || exists("forged/nocert") || exists("forged/foreign"), "nothing forged was written");

        // the control: with the members' own certificate the same request is a member's, and is applied
        ForwardResponse answer = assertInstanceOf(ForwardResponse.class, send(memberSsl(), forgedPut("forged/member")));
        assertEquals("", answer.getError());
        assertTrue(exists("forged/member"));
    }

    static SslContext memberSsl() throws Exception {
        return GrpcSslContexts.forClient().trustManager(certs.caCert.toFile())
                .keyManager(certs.peerCert.toFile(), certs.peerKey.toFile()).build();
    }

    static ForwardResponse sendAs(String user, String key) throws Exception {
        return assertInstanceOf(ForwardResponse.class, send(memberSsl(), forgedPut(key).toBuilder().setUser(user).build()));
    }

    /**
     * With auth on, a follower forwards its caller's user name, and the leader checks that user's
     * permission again against its own auth state: a member cannot write for a user who may not.
     */
    @Test
    void theLeaderChecksTheForwardedUsersPermissionAgain() throws Exception {
        MetaStoreServer follower = members[0] == leader() ? members[1] : members[0];
        io.grpc.ManagedChannel ch = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort())
                .usePlaintext().build();
        var auth = io.etcd.jetcd.api.AuthGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
        auth.userAdd(io.etcd.jetcd.api.AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build());
        auth.userGrantRole(io.etcd.jetcd.api.AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.userAdd(io.etcd.jetcd.api.AuthUserAddRequest.newBuilder().setName("alice").setPassword("pw").build());
        auth.roleAdd(io.etcd.jetcd.api.AuthRoleAddRequest.newBuilder().setName("alice").build());
        auth.roleGrantPermission(io.etcd.jetcd.api.AuthRoleGrantPermissionRequest.newBuilder().setName("alice")
                .setPerm(io.etcd.jetcd.api.Permission.newBuilder().setPermType(io.etcd.jetcd.api.Permission.Type.READWRITE)
                        .setKey(bs("alice/")).setRangeEnd(bs("alice0"))).build());
        auth.userGrantRole(io.etcd.jetcd.api.AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("alice").build());
        auth.authEnable(io.etcd.jetcd.api.AuthEnableRequest.getDefaultInstance());
        String rootToken = auth.authenticate(io.etcd.jetcd.api.AuthenticateRequest.newBuilder().setName("root")
                .setPassword("pw").build()).getToken();
        String aliceToken = auth.authenticate(io.etcd.jetcd.api.AuthenticateRequest.newBuilder().setName("alice")
                .setPassword("pw").build()).getToken();
        try {
            for (MetaStoreServer m : members) {
                TestServers.await(() -> m.store().appliedIndex() >= leader().store().appliedIndex(), "every member applied auth");
            }
            assertEquals("PERMISSION_DENIED", sendAs("alice", "secret/x").getError());
            assertEquals("USER_EMPTY", assertInstanceOf(ForwardResponse.class,
                    send(memberSsl(), forgedPut("alice/nouser"))).getError());
            assertEquals("", sendAs("alice", "alice/forwarded").getError());

            // alice's writes through a follower reach the leader as hers: her prefix is written, not another
            var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(token(aliceToken)));
            kv.put(PutRequest.newBuilder().setKey(bs("alice/through-follower")).setValue(bs("v")).build());
            io.grpc.StatusRuntimeException denied = assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> kv.put(PutRequest.newBuilder().setKey(bs("secret/through-follower")).setValue(bs("v")).build()));
            assertEquals("etcdserver: permission denied", denied.getStatus().getDescription());
        } finally {
            io.etcd.jetcd.api.AuthGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(token(rootToken)))
                    .authDisable(io.etcd.jetcd.api.AuthDisableRequest.getDefaultInstance());
            for (MetaStoreServer m : members) {
                TestServers.await(() -> m.store().appliedIndex() >= leader().store().appliedIndex(), "every member applied auth");
            }
            ch.shutdownNow();
        }
    }

    static io.grpc.Metadata token(String token) {
        io.grpc.Metadata md = new io.grpc.Metadata();
        md.put(io.grpc.Metadata.Key.of("token", io.grpc.Metadata.ASCII_STRING_MARSHALLER), token);
        return md;
    }

    /** jraft's administration RPCs are not served, even to a member: membership goes through etcd's Cluster API. */
    @Test
    void jraftsAdministrationRpcsAreNotServed() throws Exception {
        var reset = com.alipay.sofa.jraft.rpc.CliRequests.ResetPeerRequest.newBuilder().setGroupId("metastore")
                .setPeerId(leader().config().raftAddress()).addNewPeers(leader().config().raftAddress()).build();
        RemotingException refused = assertThrows(RemotingException.class, () -> send(memberSsl(), reset));
        assertTrue(refused.getMessage().contains("UNIMPLEMENTED"), refused.getMessage());
        assertEquals(3, leader().raft().peers().size(), "the configuration is untouched");
    }

    @Test
    void thePeerPortListensOnlyOnTheMembersOwnAddress() throws Exception {
        int port = Integer.parseInt(members[0].config().raftAddress().split(":")[1]);
        try (Socket own = new Socket()) {
            own.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        }
        // every 127/8 address reaches this host: a listener on all interfaces would take this connection
        try (Socket other = new Socket()) {
            assertThrows(ConnectException.class, () -> other.connect(new InetSocketAddress("127.0.0.2", port), 5000));
        }
    }

    @Test
    void peerTlsFlagsAreCheckedAsEtcdChecksThem() {
        ConfigException half = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {
                "--peer-cert-file", certs.peerCert.toString()}, Map.of()));
        assertEquals("--peer-cert-file and --peer-key-file must be given together", half.getMessage());
        ConfigException bolt = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {
                "--peer-cert-file", certs.peerCert.toString(), "--peer-key-file", certs.peerKey.toString(),
                "--peer-transport", "bolt"}, Map.of()));
        assertEquals("--peer-transport bolt has no TLS: drop --peer-cert-file or use --peer-transport grpc", bolt.getMessage());
        ConfigException ca = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {
                "--peer-client-cert-auth"}, Map.of()));
        assertEquals("--peer-client-cert-auth needs --peer-cert-file and --peer-key-file", ca.getMessage());
        ConfigException pair = assertThrows(ConfigException.class, () -> io.metastore.server.tls.PeerTls.load(
                new ServerConfig.Tls(certs.peerCert, foreign.peerKey, null, false)));
        assertEquals("--peer-key-file " + foreign.peerKey + " is not the private key of --peer-cert-file " + certs.peerCert,
                pair.getMessage());
    }
}
