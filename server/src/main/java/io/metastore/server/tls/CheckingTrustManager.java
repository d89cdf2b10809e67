package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a listener or a dialing member judges the certificate of the other end, as etcd 3.4's
 * {@code TLSInfo} does:
 *
 * <ol>
 *   <li>the chain must lead to a CA of the trusted-CA file (read again when it changes, as etcd
 *       reads it on every handshake), or of the JDK's trust store without one; a dialing member
 *       also checks the address it dialed against the certificate (the JDK's endpoint
 *       identification, which gRPC turns on). With auto TLS ({@code insecure}) a dialing member
 *       checks nothing, as etcd's {@code InsecureSkipVerify} for self-signed peers;</li>
 *   <li>with {@code allowedCn} the certificate's Common Name must equal it, with
 *       {@code allowedHostname} its SAN DNS names or IP addresses must match it
 *       ({@link CertificateNames}). etcd checks this in {@code VerifyPeerCertificate}, which both
 *       ends of a peer connection run: a member also refuses to talk to a member whose server
 *       certificate has another name. A chain that was not verified ({@code insecure}) has no name
 *       that counts, so then every certificate is refused, as Go's {@code VerifyPeerCertificate}
 *       sees no verified chain (the configuration never asks for both: with auto TLS etcd drops the
 *       allowed names).</li>
 * </ol>
 *
 * A refusal fails the handshake with etcd's reason, {@code client certificate authentication
 * failed} (the JDK then sends the other end a TLS alert), and is logged as etcd logs it:
 * {@code rejected connection (error "client certificate authentication failed", ServerName "",
 * IPAddresses ["127.0.0.1"], DNSNames [])} (etcd also names the remote address, which the JDK
 * does not tell a trust manager).
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {
    private static final Logger LOG = LoggerFactory.getLogger(CheckingTrustManager.class);
    /** etcd 3.4.23's error for a certificate whose name is not the allowed one. */
    static final String REFUSED = "client certificate authentication failed";

    private record Trust(FileStamp stamp, X509ExtendedTrustManager manager) {
    }

    private final String caOption;
    private final Path caFile;
    private final boolean insecure;
    private final String allowedCn;
    private final String allowedHostname;
    private volatile Trust trust;
    private volatile FileStamp refused;

    /**
     * @param caOption        the CA file's flag, for messages ({@code trusted-ca-file} or {@code peer-trusted-ca-file})
     * @param caFile          the trusted CAs, or {@code null}: the JDK's trust store
     * @param insecure        a server's certificate is not verified (etcd's auto TLS, dialing side only)
     * @param allowedCn       the Common Name the other end's certificate must have, or {@code null}
     * @param allowedHostname the name its SANs must match, or {@code null}
     * @throws ConfigException when the CA file holds no usable certificate
     */
    CheckingTrustManager(String caOption, Path caFile, boolean insecure, String allowedCn, String allowedHostname) {
        this.caOption = caOption;
        this.caFile = caFile;
        this.insecure = insecure;
        this.allowedCn = allowedCn;
        this.allowedHostname = allowedHostname;
        this.trust = read(caFile == null ? null : FileStamp.of(caFile));
    }

    private Trust read(FileStamp stamp) {
        try {
            KeyStore store = null;
            if (caFile != null) {
                store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.certificates(caOption, caFile)) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(store);
            for (TrustManager m : f.getTrustManagers()) {
                if (m instanceof X509ExtendedTrustManager x) {
                    return new Trust(stamp, x);
                }
            }
            throw new ConfigException("--" + caOption + ": the JDK has no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("--" + caOption + " " + caFile + ": " + PemFiles.reason(e));
        }
    }

    private X509ExtendedTrustManager manager() {
        Trust t = trust;
        if (caFile == null) {
            return t.manager();
        }
        FileStamp now = FileStamp.of(caFile);
        if (now.equals(t.stamp()) || now.equals(refused)) {
            return t.manager();
        }
        synchronized (this) {
            t = trust;
            if (!now.equals(t.stamp()) && !now.equals(refused)) {
                try {
                    t = read(now);
                    trust = t;
                    refused = null;
                    LOG.info("--{} {} changed: new connections are checked against it", caOption, caFile);
                } catch (ConfigException e) {
                    refused = now;
                    LOG.warn("{}: new connections are checked against the previous CAs until it changes again", e.getMessage());
                }
            }
            return t.manager();
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        manager().checkClientTrusted(chain, authType, engine);
        checkNames(chain, true, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        manager().checkClientTrusted(chain, authType, socket);
        checkNames(chain, true, null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        manager().checkClientTrusted(chain, authType);
        checkNames(chain, true, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (!insecure) {
            manager().checkServerTrusted(chain, authType, engine);
        }
        checkNames(chain, false, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (!insecure) {
            manager().checkServerTrusted(chain, authType, socket);
        }
        checkNames(chain, false, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (!insecure) {
            manager().checkServerTrusted(chain, authType);
        }
        checkNames(chain, false, null);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return manager().getAcceptedIssuers();
    }

    private void checkNames(X509Certificate[] chain, boolean ofClient, SSLSession session) throws CertificateException {
        if (allowedCn == null && allowedHostname == null) {
            return;
        }
        X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
        boolean verified = leaf != null && !(insecure && !ofClient);
        if (verified && (allowedCn != null ? allowedCn.equals(CertificateNames.commonName(leaf))
                : CertificateNames.matchesHostname(leaf, allowedHostname))) {
            return;
        }
        if (ofClient) {
            LOG.info("rejected connection (error \"{}\", ServerName \"{}\", IPAddresses {}, DNSNames {})", REFUSED,
                    serverName(session), goList(leaf == null ? List.of() : CertificateNames.ipAddresses(leaf)),
                    goList(leaf == null ? List.of() : CertificateNames.dnsNames(leaf)));
        } else {
            LOG.info("cannot connect to a member: its certificate {} (error \"{}\")",
                    leaf == null ? "(none)" : "CN=" + CertificateNames.commonName(leaf) + " " + CertificateNames.dnsNames(leaf)
                            + CertificateNames.ipAddresses(leaf), REFUSED);
        }
        throw new CertificateException(REFUSED);
    }

    private static String serverName(SSLSession session) {
        if (session instanceof ExtendedSSLSession s) {
            for (SNIServerName n : s.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    return h.getAsciiName();
                }
            }
        }
        return "";
    }

    /** As etcd prints a Go string slice with %q: {@code ["127.0.0.1"]}. */
    private static String goList(List<String> items) {
        return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(" ", "[", "]"));
    }
}
