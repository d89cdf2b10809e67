package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;
import io.metastore.server.datadir.OwnerOnly;
import io.netty.util.NetUtil;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * etcd's auto TLS ({@code --auto-tls}, {@code --peer-auto-tls}): a self-signed certificate made
 * as etcd 3.4's {@code transport.SelfCert} makes it, into {@code <data-dir>/fixtures/client} or
 * {@code fixtures/peer} as {@code cert.pem} and {@code key.pem}, and kept: when both files exist
 * they are used as they are, so a member presents the same certificate across restarts.
 *
 * <p>The certificate (compare {@code openssl x509 -text} of etcd 3.4.23's): subject and issuer
 * {@code O=etcd}, a random 128-bit serial, valid for a year from now, an ECDSA P-521 key signed
 * with SHA-512, key usage digitalSignature and keyEncipherment (critical), extended key usage
 * serverAuth, basic constraints CA:FALSE (critical), and as SANs the host of the listen address
 * (an IP SAN for an IP, a DNS SAN otherwise). The key is written as SEC1 {@code EC PRIVATE KEY}.
 * Files are 0600 in 0700 directories (etcd leaves the certificate 0644).
 *
 * <p>What it means: the traffic is encrypted, but nothing says who is at the other end. No CA
 * signed these certificates, so members do not verify each other's (etcd sets
 * {@code InsecureSkipVerify}), and a client must skip verification too ({@code curl -k},
 * {@code etcdctl --insecure-skip-tls-verify}). Anyone who can reach the port can still talk to it,
 * and a man in the middle is not detected: encryption, not authentication (the CIS Kubernetes
 * benchmark asks for etcd's auto TLS flags to be off for this reason).
 */
public final class SelfSignedCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    private static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificate() {
    }

    /**
     * Makes {@code certFile} and {@code keyFile} unless both exist.
     *
     * @param hosts the hosts (or IPs) the certificate names
     * @throws ConfigException when they cannot be written
     */
    public static void ensure(Path certFile, Path keyFile, List<String> hosts) {
        if (Files.isRegularFile(certFile) && Files.isRegularFile(keyFile)) {
            return;
        }
        try {
            OwnerOnly.createDirectories(certFile.getParent());
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp521r1"));
            KeyPair keys = g.generateKeyPair();
            X500Name name = new X500Name("O=etcd");
            Instant now = Instant.now();
            List<GeneralName> sans = new ArrayList<>();
            for (String h : hosts) {
                sans.add(NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h)
                        ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
            }
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(128, new SecureRandom()),
                    Date.from(now), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            X509CertificateHolder cert = b.build(new JcaContentSignerBuilder("SHA512withECDSA").build(keys.getPrivate()));
            write(keyFile, "EC PRIVATE KEY", sec1(keys));
            write(certFile, "CERTIFICATE", cert.getEncoded());
            LOG.info("auto TLS: wrote a self-signed certificate for {} to {} (its key: {})", hosts, certFile, keyFile);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new ConfigException("cannot make a self-signed certificate in " + certFile.getParent() + ": " + e.getMessage());
        }
    }

    /** SEC1 {@code ECPrivateKey} naming its curve and holding its public key, as Go's {@code MarshalECPrivateKey} writes it. */
    private static byte[] sec1(KeyPair keys) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey jdk = ECPrivateKey.getInstance(info.parsePrivateKey());
        SubjectPublicKeyInfo pub = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(info.getPrivateKeyAlgorithm().getParameters());
        return new ECPrivateKey(521, jdk.getKey(), new DERBitString(pub.getPublicKeyData().getBytes()), curve).getEncoded();
    }

    /** Written whole or not at all: a temporary file, 0600, moved into place. */
    private static void write(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
