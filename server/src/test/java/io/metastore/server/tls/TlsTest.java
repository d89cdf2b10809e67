package io.metastore.server.tls;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.grpc.GrpcServer;
import io.metastore.server.http.ClientPort;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLSession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on the client port (gRPC and HTTP/1.1 on one socket) and on {@code --port}, with etcd's
 * flags; certificates are made per run ({@link TestCertificates}).
 */
class TlsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    /** TLS, --port on. */
    static MetaStoreServer server;
    /** TLS with --client-cert-auth. */
    static MetaStoreServer mutual;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(Files.createDirectory(dir.resolve("certs")));
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("tls"),
                "--cert-file", certs.serverCert.toString(), "--key-file", certs.serverKey.toString(),
                "--port", String.valueOf(TestServers.freePort())));
        mutual = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("mutual"),
                "--cert-file", certs.serverCert.toString(), "--key-file", certs.serverKey.toString(),
                "--trusted-ca-file", certs.caCert.toString(), "--client-cert-auth"));
    }

    @AfterAll
    static void stop() {
        if (mutual != null) {
            mutual.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void grpcPutAndGetOverTls() throws Exception {
        ManagedChannel ch = tlsChannel(server.grpcPort(), false);
        try {
            putAndGet(ch, "grpc-tls");
        } finally {
            ch.shutdownNow();
        }
    }

    /** An HTTP client offering h2 and http/1.1 in ALPN gets HTTP/1.1, on the port gRPC uses. */
    @Test
    void httpOverTlsOnTheClientPort() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(certs.jdkContext(false)).build();
        String base = "https://127.0.0.1:" + server.grpcPort();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("{\"health\":\"true\"}", health.body());
        assertEquals(HttpClient.Version.HTTP_1_1, health.version());

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"Z3c=\",\"value\":\"djE=\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        HttpResponse<String> range = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/range"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"Z3c=\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, range.statusCode(), range.body());
        assertTrue(range.body().contains("\"value\":\"djE=\""), range.body());
    }

    @Test
    void httpsOnTheKeyValuePort() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(certs.jdkContext(false)).build();
        String base = "https://127.0.0.1:" + server.httpPort();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/kv-tls"))
                .PUT(HttpRequest.BodyPublishers.ofString("v")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, put.statusCode());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/kv-tls")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("v", get.body());
        assertEquals(HttpClient.Version.HTTP_1_1, get.version());
    }

    @Test
    void plaintextClientsAreRefused() throws Exception {
        assertNoHttpAnswer(server.grpcPort());
        assertNoHttpAnswer(server.httpPort());
        ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(plain)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("k")).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            plain.shutdownNow();
        }
    }

    @Test
    void clientCertAuthRefusesClientsWithoutCertificate() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(certs.jdkContext(false)).build();
        assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + mutual.grpcPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString()));
        ManagedChannel ch = tlsChannel(mutual.grpcPort(), false);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("k")).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientCertAuthServesClientsWithCertificate() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(certs.jdkContext(true)).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + mutual.grpcPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        ManagedChannel ch = tlsChannel(mutual.grpcPort(), true);
        try {
            putAndGet(ch, "mutual-tls");
        } finally {
            ch.shutdownNow();
        }
    }

    /** gRPC calls see the TLS session, with the client's certificate, as under grpc-netty's own TLS. */
    @Test
    void grpcCallsSeeTheClientCertificate() throws Exception {
        NettyTls tls = NettyTls.load(new ServerConfig.Tls(certs.serverCert, certs.serverKey, certs.caCert, true));
        AtomicReference<SSLSession> session = new AtomicReference<>();
        AtomicReference<SecurityLevel> level = new AtomicReference<>();
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                               ServerCallHandler<Q, A> next) {
                session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                level.set(call.getSecurityLevel());
                return next.startCall(call, headers);
            }
        };
        BindableService kv = new KVGrpc.KVImplBase() {
            @Override
            public void range(RangeRequest request, StreamObserver<RangeResponse> response) {
                response.onNext(RangeResponse.getDefaultInstance());
                response.onCompleted();
            }
        };
        ClientPort port = new ClientPort(tls.clientPort(), 0);
        GrpcServer grpc = new GrpcServer("127.0.0.1", 0, new GrpcServer.Setup(port.credentials(), null,
                ServerConfig.Limits.defaults(), null), List.of(kv), capture).start();
        ManagedChannel ch = tlsChannel(grpc.port(), true);
        try {
            KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.getDefaultInstance());
            assertEquals("CN=client", session.get().getPeerPrincipal().getName());
            assertEquals(SecurityLevel.PRIVACY_AND_INTEGRITY, level.get());
        } finally {
            ch.shutdownNow();
            port.close();
            grpc.close();
        }
    }

    @Test
    void missingOrUnpairedFilesAreConfigErrors() {
        ConfigException missing = assertThrows(ConfigException.class, () -> load("--cert-file", dir.resolve("nope.pem").toString(),
                "--key-file", certs.serverKey.toString()));
        assertEquals("--cert-file: cannot read " + dir.resolve("nope.pem"), missing.getMessage());
        ConfigException alone = assertThrows(ConfigException.class, () -> load("--cert-file", certs.serverCert.toString()));
        assertEquals("--cert-file and --key-file must be given together", alone.getMessage());
        ConfigException auth = assertThrows(ConfigException.class, () -> load("--client-cert-auth"));
        assertEquals("--client-cert-auth needs --cert-file and --key-file", auth.getMessage());
    }

    @Test
    void unreadablePemIsAConfigErrorOfOneLine() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        ConfigException key = assertThrows(ConfigException.class, () -> NettyTls.load(
                load("--cert-file", certs.serverCert.toString(), "--key-file", garbage.toString()).tls()));
        assertEquals("--key-file " + garbage + ": no PEM data in it", key.getMessage());
        assertFalse(key.getMessage().contains("\n"), key.getMessage());
        ConfigException ca = assertThrows(ConfigException.class, () -> NettyTls.load(load("--cert-file",
                certs.serverCert.toString(), "--key-file", certs.serverKey.toString(), "--trusted-ca-file", garbage.toString()).tls()));
        assertEquals("--trusted-ca-file " + garbage + ": no PEM data in it", ca.getMessage());
    }

    private static ServerConfig load(String... args) {
        return ((ConfigLoader.Run) ConfigLoader.load(args, Map.of())).config();
    }

    private static ManagedChannel tlsChannel(int port, boolean withClientCert) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(certs.caCert.toFile());
        if (withClientCert) {
            ssl.keyManager(certs.clientCert.toFile(), certs.clientKey.toFile());
        }
        return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(ssl.build()).build();
    }

    private static void putAndGet(ManagedChannel ch, String key) {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")).build());
        assertEquals("v", kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .getKvs(0).getValue().toStringUtf8());
    }

    /** A plaintext HTTP request gets no HTTP answer: the TLS handler rejects the bytes and closes. */
    private static void assertNoHttpAnswer(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] got;
            InputStream in = s.getInputStream();
            try {
                got = in.readAllBytes();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stayed open", e);
            } catch (IOException reset) {
                return;
            }
            assertFalse(new String(got, StandardCharsets.ISO_8859_1).startsWith("HTTP/"), "answered over plaintext");
        }
    }

}
