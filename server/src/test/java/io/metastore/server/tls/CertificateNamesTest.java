package io.metastore.server.tls;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The names etcd's {@code --*-cert-allowed-*} flags compare, by Go's {@code VerifyHostname} rules
 * (checked against etcd 3.4.23 for the cases marked so), and {@code --client-cert-allowed-hostname}
 * on the client port.
 */
class CertificateNamesTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static X509Certificate cert;

    @BeforeAll
    static void make() throws Exception {
        certs = new TestCertificates(Files.createDirectory(dir.resolve("certs")));
        TestCertificates.Issued i = certs.peer("named", "member", "peer.example", "*.wild.example");
        try (var in = Files.newInputStream(i.cert())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "peer.example, true",      // etcd 3.4.23: accepted
            "PEER.example., true",     // etcd 3.4.23: accepted (case and a trailing dot do not matter)
            "127.0.0.1, true",         // etcd 3.4.23: accepted (IP SAN)
            "[127.0.0.1], true",
            "::ffff:127.0.0.1, true",
            "127.0.0.2, false",
            "a.wild.example, true",
            "a.b.wild.example, false",
            "wild.example, false",
            "other.example, false",
            "member, false",           // the CommonName is not a host name
    })
    void hostnamesMatchAsGoMatchesThem(String host, boolean matches) {
        assertEquals(matches, CertificateNames.matchesHostname(cert, host));
    }

    @Test
    void theCommonNameIsTheSubjects() {
        assertEquals("member", CertificateNames.commonName(cert));
    }

    @Test
    void clientCertAllowedHostnameRefusesClientCertificatesOfOtherNames() throws Exception {
        TestCertificates.Issued named = certs.peer("client-named", "someone", "client.example");
        MetaStoreServer server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("data"),
                "--cert-file", certs.serverCert.toString(), "--key-file", certs.serverKey.toString(),
                "--trusted-ca-file", certs.caCert.toString(), "--client-cert-allowed-hostname", "client.example"));
        try {
            assertEquals(1, range(server, named.cert(), named.key()));
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> range(server, certs.clientCert, certs.clientKey)); // same CA, no such SAN
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
        } finally {
            server.close();
        }
    }

    private static long range(MetaStoreServer server, Path cert, Path key) throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).sslContext(GrpcSslContexts.forClient()
                .trustManager(certs.caCert.toFile()).keyManager(cert.toFile(), key.toFile()).build()).build();
        try {
            KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k")).build());
            return 1;
        } finally {
            ch.shutdownNow();
        }
    }
}
