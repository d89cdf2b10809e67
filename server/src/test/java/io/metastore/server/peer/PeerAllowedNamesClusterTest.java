package io.metastore.server.peer;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.alipay.sofa.jraft.error.RemotingException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.raft.ForwardResponse;
import io.metastore.server.tls.TestCertificates;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's {@code --peer-cert-allowed-cn}: three members whose certificates all come from the
 * members' CA, all started with {@code --peer-cert-allowed-cn member}; the third one's
 * certificate says {@code CN=intruder}. As in etcd 3.4.23 (checked with three etcd members set up
 * the same way), the two {@code CN=member} members form the cluster and the third cannot take
 * part: its connections are refused (each refusal logged as etcd logs it, {@code rejected
 * connection (error "client certificate authentication failed", ...)}), so it applies nothing,
 * knows no leader, and a request sent with its certificate is refused.
 */
class PeerAllowedNamesClusterTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates.Issued intruder;
    static final List<String> peers = new ArrayList<>();
    static final MetaStoreServer[] members = new MetaStoreServer[3];
    static final ListAppender<ILoggingEvent> log = new ListAppender<>();
    static final ch.qos.logback.classic.Logger trustLog =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.metastore.server.tls.CheckingTrustManager");

    @BeforeAll
    static void start() throws Exception {
        log.start();
        trustLog.addAppender(log);
        certs = new TestCertificates(Files.createDirectory(dir.resolve("certs")));
        intruder = certs.peer("intruder", "intruder");
        for (int i = 0; i < 3; i++) {
            peers.add("127.0.0.1:" + TestServers.freePort());
        }
        for (int i = 0; i < 3; i++) {
            Path cert = i == 2 ? intruder.cert() : certs.peerCert;
            Path key = i == 2 ? intruder.key() : certs.peerKey;
            members[i] = MetaStoreServer.start(config(i + 1, cert, key, "--peer-cert-allowed-cn", "member"));
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
        trustLog.detachAppender(log);
    }

    static ServerConfig config(int member, Path cert, Path key, String... extra) {
        List<String> args = new ArrayList<>(List.of("--member-id", String.valueOf(member), "--cluster", String.join(",", peers),
                "--data-dir", dir.resolve("m" + member).toString(), "--grpc-addr", "127.0.0.1:0", "--port", "0",
                "--storage", "memory", "--raft-sync", "false", "--election-timeout-ms", "1500",
                "--peer-cert-file", cert.toString(), "--peer-key-file", key.toString(),
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

    static SslContext presenting(Path cert, Path key) throws Exception {
        return GrpcSslContexts.forClient().trustManager(certs.caCert.toFile()).keyManager(cert.toFile(), key.toFile()).build();
    }

    static List<String> logged() {
        synchronized (log) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void onlyTheMembersWithTheAllowedCommonNameTakePart() throws Exception {
        MetaStoreServer intruderMember = members[2];
        assertFalse(intruderMember.raft().isLeader());
        try (Client client = TestServers.client(members[0].grpcPort())) {
            for (int i = 0; i < 10; i++) {
                client.getKVClient().put(ByteSequence.from("cn/" + i, StandardCharsets.UTF_8),
                        ByteSequence.from("v", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            }
        }
        long revision = leader().store().currentRevision();
        assertTrue(revision >= 11);
        TestServers.await(() -> members[1].store().currentRevision() == revision, "the other CN=member member applied");
        // the intruder tried, and was turned away by a member's listener in etcd's words
        TestServers.await(() -> logged().stream().anyMatch(m -> m.equals("rejected connection (error \"client certificate"
                + " authentication failed\", ServerName \"\", IPAddresses [\"127.0.0.1\"], DNSNames [])")), "a logged refusal");
        // and, as an etcd member does, the members refuse the intruder's server certificate when they dial it
        TestServers.await(() -> logged().stream().anyMatch(m -> m.startsWith("cannot connect to a member: its certificate"
                + " CN=intruder")), "a logged refusal of a dialed member");
        assertEquals(1, intruderMember.store().currentRevision(), "the intruder applied nothing");
        assertNull(intruderMember.raft().leaderAddress(), "the intruder knows no leader");
        assertFalse(intruderMember.raft().isLeader());
    }

    @Test
    void aRequestWithTheIntrudersCertificateIsRefusedAndTheMembersIsServed() throws Exception {
        RemotingException refused = assertThrows(RemotingException.class,
                () -> PeerTlsClusterTest.send(presenting(intruder.cert(), intruder.key()), leader().config().raftAddress(),
                        PeerTlsClusterTest.forgedPut("forged/intruder")));
        assertTrue(refused.getMessage().contains("UNAVAILABLE"), refused.getMessage());
        ForwardResponse answer = assertInstanceOf(ForwardResponse.class, PeerTlsClusterTest.send(
                presenting(certs.peerCert, certs.peerKey), leader().config().raftAddress(),
                PeerTlsClusterTest.forgedPut("forged/member")));
        assertEquals("", answer.getError());
        try (Client client = TestServers.client(leader().grpcPort())) {
            assertEquals(0, client.getKVClient().get(ByteSequence.from("forged/intruder", StandardCharsets.UTF_8))
                    .get(30, TimeUnit.SECONDS).getCount());
        }
    }

    /** What a TLS client with the wrong name sees: the handshake fails with the listener's alert. */
    @Test
    void aCallerWithAnotherNameGetsATlsAlert() throws Exception {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                java.util.Base64.getMimeDecoder().decode(Files.readString(intruder.key()).replaceAll("-----[A-Z ]+-----", "")))),
                new char[0], new java.security.cert.Certificate[] {java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(intruder.cert()))});
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        String[] hp = leader().config().raftAddress().split(":");
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            javax.net.ssl.SSLException e = assertThrows(javax.net.ssl.SSLException.class, () -> {
                s.startHandshake(); // TLS 1.3: the client's side completes before the listener checks its certificate
                s.getInputStream().read();
            });
            assertEquals("Received fatal alert: certificate_unknown", e.getMessage());
        }
    }

    @Test
    void allowedCnAndAllowedHostnameAreMutuallyExclusiveAsInEtcd() {
        ConfigException both = assertThrows(ConfigException.class, () -> config(1, certs.peerCert, certs.peerKey,
                "--peer-cert-allowed-cn", "member", "--peer-cert-allowed-hostname", "peer.example"));
        // etcd 3.4.23 refuses to start with these words
        assertEquals("AllowedCN and AllowedHostname are mutually exclusive (cn=\"member\", hostname=\"peer.example\")",
                both.getMessage());
        ConfigException noTls = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {
                "--peer-cert-allowed-cn", "member"}, Map.of()));
        assertEquals("--peer-cert-allowed-cn needs --peer-cert-file and --peer-key-file", noTls.getMessage());
    }
}
