package io.metastore.server.tls;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's {@code --auto-tls} and {@code --peer-auto-tls}: three members, no certificate files, each
 * generating its own self-signed certificates into {@code <data-dir>/fixtures}; the members talk
 * TLS without verifying each other (no CA could), clients get TLS only. The certificates are
 * made as etcd 3.4.23 makes them (compared with {@code openssl x509 -text} of etcd's).
 */
class AutoTlsClusterTest {
    @TempDir
    static Path dir;
    static final List<String> peers = new ArrayList<>();
    static final MetaStoreServer[] members = new MetaStoreServer[3];

    @BeforeAll
    static void start() {
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

    static ServerConfig config(int member) {
        return ((ConfigLoader.Run) ConfigLoader.load(new String[] {"--member-id", String.valueOf(member),
                "--cluster", String.join(",", peers), "--data-dir", dir.resolve("m" + member).toString(),
                "--grpc-addr", "127.0.0.1:0", "--port", "0", "--storage", "memory", "--raft-sync", "false",
                "--election-timeout-ms", "1500", "--auto-tls", "--peer-auto-tls"}, Map.of())).config();
    }

    static MetaStoreServer leader() {
        for (MetaStoreServer m : members) {
            if (m != null && m.raft().isLeader()) {
                return m;
            }
        }
        return null;
    }

    static X509Certificate read(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static int peerPort(MetaStoreServer m) {
        String a = m.config().raftAddress();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    @Test
    void membersReplicateOverSelfSignedTlsAndClientsGetTlsOnly() throws Exception {
        MetaStoreServer follower = members[0] == leader() ? members[1] : members[0];
        // a client cannot verify a self-signed certificate either: it skips verification (etcdctl --insecure-skip-tls-verify)
        ManagedChannel insecure = NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()).build();
        ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort()).usePlaintext().build();
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(insecure).withDeadlineAfter(30, TimeUnit.SECONDS);
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("auto")).setValue(ByteString.copyFromUtf8("v")).build());
            assertEquals("v", kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("auto")).build())
                    .getKvs(0).getValue().toStringUtf8());
            assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("auto")).build()));
        } finally {
            insecure.shutdownNow();
            plain.shutdownNow();
        }
        long revision = leader().store().currentRevision();
        for (MetaStoreServer m : members) {
            TestServers.await(() -> m.store().currentRevision() == revision, "every member applied");
        }
    }

    /** etcd 3.4.23 replaces the port's whole TLS setting with the self-signed one (its start-up line: client-cert-auth = false). */
    @Test
    void autoTlsDropsTheCaClientCertAuthAndAllowedNamesAsEtcdDoes() {
        ServerConfig c = ((ConfigLoader.Run) ConfigLoader.load(new String[] {"--data-dir", dir.resolve("x").toString(),
                "--peer-auto-tls", "--peer-client-cert-auth", "--peer-cert-allowed-cn", "member",
                "--auto-tls", "--client-cert-auth", "--client-cert-allowed-hostname", "client.example"}, Map.of())).config();
        for (ServerConfig.Tls tls : List.of(c.tls(), c.peer().tls())) {
            assertTrue(tls.selfSigned() && tls.enabled());
            assertFalse(tls.requiresClientCertificates());
            assertEquals(null, tls.allowedCn());
            assertEquals(null, tls.allowedHostname());
        }
        assertEquals(dir.resolve("x").resolve("fixtures/peer/cert.pem"), c.peer().tls().certFile());
        assertEquals(dir.resolve("x").resolve("fixtures/client/key.pem"), c.tls().keyFile());
    }

    @Test
    void eachMemberPresentsItsOwnCertificateMadeAsEtcdMakesIt() throws Exception {
        List<X509Certificate> seen = new ArrayList<>();
        for (MetaStoreServer m : members) {
            Path fixtures = m.config().dataDir().resolve("fixtures");
            for (String side : List.of("peer", "client")) {
                Path cert = fixtures.resolve(side).resolve("cert.pem");
                Path key = fixtures.resolve(side).resolve("key.pem");
                X509Certificate c = read(cert);
                assertEquals("O=etcd", c.getSubjectX500Principal().getName());
                assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
                c.verify(c.getPublicKey()); // self-signed
                assertEquals("SHA512withECDSA", c.getSigAlgName());
                assertEquals(521, ((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize());
                assertEquals(List.of("1.3.6.1.5.5.7.3.1"), c.getExtendedKeyUsage()); // serverAuth
                assertEquals(-1, c.getBasicConstraints()); // not a CA
                assertArrayEquals(new boolean[] {true, false, true, false, false, false, false, false, false},
                        c.getKeyUsage()); // digitalSignature, keyEncipherment
                assertEquals(List.of("127.0.0.1"), CertificateNames.ipAddresses(c));
                assertTrue(Files.readString(key).startsWith("-----BEGIN EC PRIVATE KEY-----"));
                for (Path p : List.of(cert, key)) {
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                }
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert.getParent())));
                int port = side.equals("peer") ? peerPort(m) : m.grpcPort();
                assertEquals(c, CertificateReloadTest.presented(port), side + " port presents its fixture");
                seen.add(c);
            }
        }
        assertEquals(6, seen.stream().distinct().count(), "every member and side has its own");

        // kept: a member restarted on the same data dir presents the same certificate
        Path cert = members[0].config().dataDir().resolve("fixtures/peer/cert.pem");
        byte[] before = Files.readAllBytes(cert);
        SelfSignedCertificate.ensure(cert, cert.resolveSibling("key.pem"), List.of("127.0.0.1"));
        assertArrayEquals(before, Files.readAllBytes(cert));
        assertNotEquals(0, before.length);
        assertFalse(Files.exists(cert.resolveSibling("cert.pem.tmp")));
    }
}
