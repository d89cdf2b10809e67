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
 * against its certificate. With {@code --peer-cert-allowed-cn} or {@code --peer-cert-allowed-hostname}
 * both ends also refuse a certificate of another name ({@link CheckingTrustManager}), as etcd's
 * do. The files are read again for new connections when they change ({@link ReloadingKeyManager}).
 * TLS 1.2 and 1.3 through the JDK, ALPN {@code h2}.
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
        return load(tls, java.util.List.of());
    }

    /**
     * As {@link #load(ServerConfig.Tls)}, first making the self-signed certificate of
     * {@code --peer-auto-tls} for {@code hosts} when it is asked for and not there yet.
     */
    public static PeerTls load(ServerConfig.Tls tls, java.util.List<String> hosts) {
        if (!tls.enabled()) {
            return null;
        }
        if (tls.selfSigned()) {
            SelfSignedCertificate.ensure(tls.certFile(), tls.keyFile(), hosts);
        }
        ReloadingKeyManager keys = new ReloadingKeyManager("peer-", tls.certFile(), tls.keyFile());
        try {
            SslContextBuilder server = GrpcSslContexts.configure(SslContextBuilder.forServer(keys), SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .trustManager(new CheckingTrustManager("peer-trusted-ca-file", tls.trustedCaFile(), false,
                            tls.allowedCn(), tls.allowedHostname()))
                    .clientAuth(tls.requiresClientCertificates() ? ClientAuth.REQUIRE : ClientAuth.NONE);
            SslContextBuilder client = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .keyManager(keys)
                    .trustManager(new CheckingTrustManager("peer-trusted-ca-file", tls.trustedCaFile(), tls.selfSigned(),
                            tls.allowedCn(), tls.allowedHostname()));
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
