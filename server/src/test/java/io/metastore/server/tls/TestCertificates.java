package io.metastore.server.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A CA, a server certificate (SAN 127.0.0.1 and localhost), a client certificate and a member's
 * peer certificate (SAN 127.0.0.1, for both server and client authentication, as etcd's peer
 * certificates are made), made at
 * test time (EC P-256, quick to generate) and written as PEM files: certificates as
 * {@code CERTIFICATE}, keys as PKCS#8 {@code PRIVATE KEY}.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    public final Path peerCert;
    public final Path peerKey;
    private final X509Certificate ca;
    private final KeyPair caKeys;
    private final Path dir;
    private final X509Certificate client;
    private final KeyPair clientKeys;

    public TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        caKeys = ecKeys();
        X500Name caName = new X500Name("CN=metastore test CA");
        ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(), caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKeys);

        KeyPair serverKeys = ecKeys();
        X509Certificate server = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                new X500Name("CN=metastore"), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)), caKeys);

        clientKeys = ecKeys();
        client = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                new X500Name("CN=client"), clientKeys.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)), caKeys);

        KeyPair peerKeys = ecKeys();
        X509Certificate peer = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                new X500Name("CN=member"), peerKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})), caKeys);
        peerCert = write(dir.resolve("peer.pem"), "CERTIFICATE", peer.getEncoded());
        peerKey = write(dir.resolve("peer-key.pem"), "PRIVATE KEY", peerKeys.getPrivate().getEncoded());

        caCert = write(dir.resolve("ca.pem"), "CERTIFICATE", ca.getEncoded());
        serverCert = write(dir.resolve("server.pem"), "CERTIFICATE", server.getEncoded());
        serverKey = write(dir.resolve("server-key.pem"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
        clientCert = write(dir.resolve("client.pem"), "CERTIFICATE", client.getEncoded());
        clientKey = write(dir.resolve("client-key.pem"), "PRIVATE KEY", clientKeys.getPrivate().getEncoded());
    }

    /** A certificate and its key file, as PEM. */
    public record Issued(Path cert, Path key) {
    }

    /**
     * Another member certificate from this CA, for both server and client authentication, with
     * Common Name {@code cn} and the SAN IP 127.0.0.1 plus {@code dnsNames}, written as
     * {@code <name>.pem} and {@code <name>-key.pem}.
     */
    public Issued peer(String name, String cn, String... dnsNames) throws Exception {
        KeyPair keys = ecKeys();
        GeneralName[] sans = new GeneralName[dnsNames.length + 1];
        sans[0] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        for (int i = 0; i < dnsNames.length; i++) {
            sans[i + 1] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        X509Certificate cert = sign(new JcaX509v3CertificateBuilder(new X500Name("CN=metastore test CA"), serial(), notBefore(),
                notAfter(), new X500Name("CN=" + cn), keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})), caKeys);
        return new Issued(write(dir.resolve(name + ".pem"), "CERTIFICATE", cert.getEncoded()),
                write(dir.resolve(name + "-key.pem"), "PRIVATE KEY", keys.getPrivate().getEncoded()));
    }

    /** A JDK SSL context trusting the CA, presenting the client certificate when {@code withClientCert}. */
    SSLContext jdkContext(boolean withClientCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withClientCert) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientKeys.getPrivate(), new char[0], new X509Certificate[] {client, ca});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Writes a self-signed certificate of {@code keys}, signed with {@code signatureAlgorithm}. */
    static Path selfSigned(KeyPair keys, String signatureAlgorithm, Path file) throws Exception {
        X500Name name = new X500Name("CN=self");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, serial(),
                notBefore(), notAfter(), name, keys.getPublic()).build(new JcaContentSignerBuilder(signatureAlgorithm)
                .build(keys.getPrivate())));
        return write(file, "CERTIFICATE", cert.getEncoded());
    }

    public static Path write(Path file, String type, byte[] der) throws Exception {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        return Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(System.currentTimeMillis()).shiftLeft(16).add(BigInteger.valueOf(SERIAL.getAndIncrement()));
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
