package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ServerConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;


/**
 * The server's Netty SSL contexts, built at start-up from {@link ServerConfig.Tls}: one for
 * the client port, whose ALPN offers {@code http/1.1} before {@code h2} (a gRPC client offers
 * only h2 and gets it; a general HTTP client offering both gets HTTP/1.1, the only HTTP the port
 * answers besides gRPC), and one for the {@code --port} listener, which offers only
 * {@code http/1.1}.
 *
 * <p>The JDK's TLS (ALPN since Java 9) is used, so no native library is needed. TLS 1.2 (etcd's
 * minimum) and 1.3, with the cipher suites HTTP/2 allows (RFC 7540 appendix A bars the rest,
 * and gRPC clients refuse them). The files are read by {@link PemFiles}: PKCS#8, PKCS#1 and SEC1 keys,
 * checked against the certificate, and read again for new connections when they change
 * ({@link ReloadingKeyManager}, {@link CheckingTrustManager}); with
 * {@code --client-cert-allowed-hostname} a client certificate must also name that host.
 */
public final class NettyTls {
    private final SslContext clientPort;
    private final SslContext http1;

    private NettyTls(SslContext clientPort, SslContext http1) {
        this.clientPort = clientPort;
        this.http1 = http1;
    }

    /**
     * Reads the certificate, key and CA files.
     *
     * @return the contexts, or {@code null} when TLS is off
     * @throws ConfigException when a file holds no usable PEM, with a one-line message
     */
    public static NettyTls load(ServerConfig.Tls tls) {
        return load(tls, java.util.List.of());
    }

    /**
     * As {@link #load(ServerConfig.Tls)}, first making the self-signed certificate of
     * {@code --auto-tls} for {@code hosts} when it is asked for and not there yet.
     */
    public static NettyTls load(ServerConfig.Tls tls, java.util.List<String> hosts) {
        if (!tls.enabled()) {
            return null;
        }
        if (tls.selfSigned()) {
            SelfSignedCertificate.ensure(tls.certFile(), tls.keyFile(), hosts);
        }
        ReloadingKeyManager keys = new ReloadingKeyManager("", tls.certFile(), tls.keyFile());
        CheckingTrustManager trust = new CheckingTrustManager("trusted-ca-file", tls.trustedCaFile(), false, null,
                tls.allowedHostname());
        return new NettyTls(build(tls, keys, trust, ApplicationProtocolNames.HTTP_1_1, ApplicationProtocolNames.HTTP_2),
                build(tls, keys, trust, ApplicationProtocolNames.HTTP_1_1));
    }

    /** For the client port: ALPN http/1.1, then h2. */
    public SslContext clientPort() {
        return clientPort;
    }

    /** For the {@code --port} listener: ALPN http/1.1 only. */
    public SslContext http1() {
        return http1;
    }

    private static SslContext build(ServerConfig.Tls tls, ReloadingKeyManager keys, CheckingTrustManager trust,
                                    String... alpn) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(keys)
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            // a client without ALPN, or offering neither, still gets a connection: the bytes decide
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            b.trustManager(trust);
            if (tls.requiresClientCertificates()) {
                b.clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot use --cert-file " + tls.certFile() + " and --key-file " + tls.keyFile() + ": "
                    + PemFiles.reason(e));
        }
    }
}
