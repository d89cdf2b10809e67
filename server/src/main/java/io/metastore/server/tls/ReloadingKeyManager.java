package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A certificate and key read from their files again when they change, checked on every new
 * handshake, so a renewed certificate is presented on the next connection without a restart:
 * etcd 3.4 reads the files on every handshake ({@code TLSInfo.baseConfig}'s
 * {@code GetCertificate} and {@code GetClientCertificate}); here one {@code stat} per file per
 * handshake tells whether they need reading.
 *
 * <p>A rotation is rarely atomic: between the new certificate and the new key being written, the
 * pair does not match. A change that does not read as a matching pair is logged once and the
 * previous pair stays in use; the next change is tried again. (etcd fails those handshakes
 * instead.) Connections already open keep the certificate they were made with, as in etcd.
 *
 * <p>The alias the JDK is handed names the pair it chose, so a reload between choosing and
 * reading the chain or key never mixes two pairs. Thread-safe: handshakes on any thread.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private record Pair(FileStamp stamp, String alias, X509Certificate[] chain, PrivateKey key) {
    }

    private final String prefix;
    private final Path certFile;
    private final Path keyFile;
    private volatile Pair current;
    private volatile Pair previous;
    private volatile FileStamp refused;
    private int generation;

    /**
     * Reads the pair now.
     *
     * @param prefix the flags' prefix in messages: "" for {@code --cert-file}, "peer-" for {@code --peer-cert-file}
     * @throws ConfigException when the files do not hold a matching certificate and key
     */
    ReloadingKeyManager(String prefix, Path certFile, Path keyFile) {
        this.prefix = prefix;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.current = read(FileStamp.of(certFile, keyFile));
    }

    /** The certificate presented now (the first of its chain). */
    X509Certificate certificate() {
        return pair().chain()[0];
    }

    private Pair read(FileStamp stamp) {
        X509Certificate[] chain = PemFiles.certificates(prefix + "cert-file", certFile);
        PrivateKey key = PemFiles.privateKey(prefix + "key-file", keyFile);
        PemFiles.checkPair(key, chain[0], prefix, keyFile, certFile);
        return new Pair(stamp, "metastore-" + prefix + (generation++), chain, key);
    }

    /** The pair to present now, read again first when the files changed. */
    private Pair pair() {
        Pair p = current;
        FileStamp now = FileStamp.of(certFile, keyFile);
        if (now.equals(p.stamp()) || now.equals(refused)) {
            return p;
        }
        synchronized (this) {
            p = current;
            if (now.equals(p.stamp()) || now.equals(refused)) {
                return p;
            }
            try {
                Pair next = read(now);
                previous = p;
                current = next;
                refused = null;
                LOG.info("--{}cert-file {} changed: new connections present {} (serial {})", prefix, certFile,
                        next.chain()[0].getSubjectX500Principal().getName(), next.chain()[0].getSerialNumber().toString(16));
                return next;
            } catch (ConfigException e) {
                refused = now;
                LOG.warn("{}: new connections keep the previous certificate until the files change again", e.getMessage());
                return p;
            }
        }
    }

    private Pair byAlias(String alias) {
        Pair c = current;
        if (c.alias().equals(alias)) {
            return c;
        }
        Pair p = previous;
        return p != null && p.alias().equals(alias) ? p : null;
    }

    /** Whether the key can serve the JDK's {@code keyType} ("EC", "RSA", "RSASSA-PSS", "EdDSA", or TLS 1.2's "EC_EC"). */
    private static boolean fits(PrivateKey key, String keyType) {
        String k = key.getAlgorithm().toUpperCase(Locale.ROOT);
        String t = keyType.toUpperCase(Locale.ROOT);
        return t.equals(k) || t.startsWith(k + "_") || (k.equals("EDDSA") && (t.equals("ED25519") || t.equals("ED448")));
    }

    private String alias(String keyType) {
        Pair p = pair();
        return keyType != null && fits(p.key(), keyType) ? p.alias() : null;
    }

    private String alias(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        for (String t : keyTypes) {
            String a = alias(t);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    /** As Go's client presents its certificate whatever CAs the server names, the issuers are not compared. */
    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = alias(keyType);
        return a == null ? null : new String[] {a};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Pair p = byAlias(alias);
        return p == null ? null : p.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Pair p = byAlias(alias);
        return p == null ? null : p.key();
    }
}
