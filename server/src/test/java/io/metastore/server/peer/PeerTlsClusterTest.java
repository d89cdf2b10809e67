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

    static Object send(SslContext ssl, ForwardRequest request) throws Exception {
        PeerRpcFactory factory = (PeerRpcFactory) RpcFactoryHelper.rpcFactory();
        RpcClient client = new GrpcPeerClient(ssl, factory.messages());
        client.init(new RpcOptions());
        try {
            String[] hp = leader().config().raftAddress().split(":");
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
        SslContext member = GrpcSslContexts.forClient().trustManager(certs.caCert.toFile())
                .keyManager(certs.peerCert.toFile(), certs.peerKey.toFile()).build();
        ForwardResponse answer = assertInstanceOf(ForwardResponse.class, send(member, forgedPut("forged/member")));
        assertEquals("", answer.getError());
        assertTrue(exists("forged/member"));
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
    }
}
