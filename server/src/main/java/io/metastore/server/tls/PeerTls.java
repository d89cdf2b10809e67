package io.metastore.server.tls;

import io.grpc.netty.GrpcSslContexts;
import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ServerConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;


/**
 * The SSL contexts of the Raft peer port, from etcd's {@code --peer-*} flags: the server side
 * presents the member's peer certificate and, as etcd 3.4 does, requires a client certificate
 * signed by {@code --peer-trusted-ca-file} whenever that file or {@code --peer-client-cert-auth}
 * is given; the client side (this member calling the others) presents the same certificate and
 * trusts the same CA (the JDK's trust store without one), checking the other member's address
 * against its certificate. TLS 1.2 and 1.3 through the JDK, ALPN {@code h2}.
 */
public final class PeerTls {
    private final SslContext server;
    private final SslContext client;

    private PeerTls(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /**
     * Reads the peer certificate, key and CA files.
     *
     * @return the contexts, or {@code null} when peer TLS is off
     * @throws ConfigException when a file holds no usable PEM, with a one-line message
     */
    public static PeerTls load(ServerConfig.Tls tls) {
        if (!tls.enabled()) {
            return null;
        }
        PemFiles.KeyMaterial m = PemFiles.keyMaterial(tls, "peer-");
        try {
            SslContextBuilder server = GrpcSslContexts.configure(SslContextBuilder.forServer(m.key(), m.chain()), SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (m.trusted() != null) {
                server.trustManager(m.trusted());
            }
            server.clientAuth(tls.requiresClientCertificates() ? ClientAuth.REQUIRE : ClientAuth.NONE);
            SslContextBuilder client = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .keyManager(m.key(), m.chain());
            if (m.trusted() != null) {
                client.trustManager(m.trusted());
            }
            return new PeerTls(server.build(), client.build());
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot use --peer-cert-file " + tls.certFile() + " and --peer-key-file " + tls.keyFile()
                    + ": " + PemFiles.reason(e));
        }
    }

    /** For the peer listener. */
    public SslContext server() {
        return server;
    }

    /** For this member's connections to the other members. */
    public SslContext client() {
        return client;
    }
}
