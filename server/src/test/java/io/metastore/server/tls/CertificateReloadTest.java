package io.metastore.server.tls;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Certificates rotated on disk are presented on the next connection, on the client port and on
 * the peer port, without a restart (etcd 3.4 reads its files on every handshake); connections
 * made before keep working, and a rotation that leaves a certificate and key that do not match
 * keeps the previous pair in use.
 */
class CertificateReloadTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static MetaStoreServer server;
    static Path clientCert;
    static Path clientKey;
    static Path peerCert;
    static Path peerKey;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(Files.createDirectory(dir.resolve("certs")));
        Path live = Files.createDirectory(dir.resolve("live"));
        clientCert = Files.copy(certs.serverCert, live.resolve("client.pem"));
        clientKey = Files.copy(certs.serverKey, live.resolve("client-key.pem"));
        peerCert = Files.copy(certs.peerCert, live.resolve("peer.pem"));
        peerKey = Files.copy(certs.peerKey, live.resolve("peer-key.pem"));
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("data"),
                "--cert-file", clientCert.toString(), "--key-file", clientKey.toString(),
                "--peer-cert-file", peerCert.toString(), "--peer-key-file", peerKey.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The certificate a new TLS connection to {@code port} is shown (not verified: only read). */
    static X509Certificate presented(int port) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    static BigInteger serial(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    static BigInteger presentedSerial(int port) {
        try {
            return presented(port).getSerialNumber();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** As a tool renewing a certificate does: the new key, then the new certificate, each renamed into place. */
    static void rotate(TestCertificates.Issued to, Path cert, Path key) throws Exception {
        Files.move(Files.copy(to.key(), key.resolveSibling("tmp-key"), StandardCopyOption.REPLACE_EXISTING), key,
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(Files.copy(to.cert(), cert.resolveSibling("tmp-cert"), StandardCopyOption.REPLACE_EXISTING), cert,
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static int peerPort() {
        String a = server.config().raftAddress();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    static void put(ManagedChannel ch, String key) {
        KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")).build());
    }

    static ManagedChannel channel() throws Exception {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(certs.caCert.toFile()).build()).build();
    }

    @Test
    void aRotatedCertificateIsPresentedOnTheNextConnection() throws Exception {
        assertEquals(serial(certs.serverCert), presentedSerial(server.grpcPort()));
        assertEquals(serial(certs.peerCert), presentedSerial(peerPort()));
        ManagedChannel before = channel();
        try {
            put(before, "reload/before");

            TestCertificates.Issued client = certs.peer("rotated-client", "rotated-client", "localhost");
            TestCertificates.Issued peer = certs.peer("rotated-peer", "rotated-peer");
            rotate(client, clientCert, clientKey);
            rotate(peer, peerCert, peerKey);
            BigInteger clientSerial = serial(client.cert());
            BigInteger peerSerial = serial(peer.cert());
            TestServers.await(() -> presentedSerial(server.grpcPort()).equals(clientSerial), "the new client certificate");
            TestServers.await(() -> presentedSerial(peerPort()).equals(peerSerial), "the new peer certificate");

            put(before, "reload/open-connection"); // made with the old certificate, still open
            ManagedChannel after = channel();
            try {
                put(after, "reload/after"); // verified against the CA, which signed the new one too
            } finally {
                after.shutdownNow();
            }

            // a certificate that is not the key's: the previous pair stays in use
            Files.copy(certs.clientCert, clientCert, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(clientSerial, presentedSerial(server.grpcPort()));
            assertEquals(clientSerial, presentedSerial(server.grpcPort()));
            // and the next change that reads as a pair is taken
            rotate(new TestCertificates.Issued(certs.serverCert, certs.serverKey), clientCert, clientKey);
            BigInteger original = serial(certs.serverCert);
            TestServers.await(() -> presentedSerial(server.grpcPort()).equals(original), "the certificate after a bad one");
        } finally {
            before.shutdownNow();
        }
    }
}
