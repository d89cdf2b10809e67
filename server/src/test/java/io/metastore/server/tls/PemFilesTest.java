package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ServerConfig;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The key and certificate files etcd takes, read without a security provider beyond the JDK's. */
class PemFilesTest {
    @TempDir
    Path dir;

    /** PKCS#8 (any algorithm), PKCS#1 RSA ({@code openssl genrsa} before 3.0) and SEC1 EC (cfssl). */
    @ParameterizedTest
    @ValueSource(strings = {"PRIVATE KEY/EC", "PRIVATE KEY/RSA", "PRIVATE KEY/Ed25519", "RSA PRIVATE KEY/RSA", "EC PRIVATE KEY/EC"})
    void keyFormsEtcdReadsAreRead(String form) throws Exception {
        String type = form.substring(0, form.indexOf('/'));
        String algorithm = form.substring(form.indexOf('/') + 1);
        KeyPair keys = keys(algorithm);
        Path cert = TestCertificates.selfSigned(keys, switch (algorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> algorithm;
        }, dir.resolve("cert.pem"));
        byte[] der = switch (type) {
            case "PRIVATE KEY" -> keys.getPrivate().getEncoded();
            case "RSA PRIVATE KEY" -> PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded()).parsePrivateKey()
                    .toASN1Primitive().getEncoded();
            default -> new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((ECPrivateKey) keys.getPrivate()).getS(),
                    X9ObjectIdentifiers.prime256v1).getEncoded();
        };
        Path key = TestCertificates.write(dir.resolve("key.pem"), type, der);
        assertEquals(algorithm.equals("Ed25519") ? "EdDSA" : algorithm, PemFiles.privateKey("key-file", key).getAlgorithm());
        assertNotNull(NettyTls.load(new ServerConfig.Tls(cert, key, null, false)));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        Path cert = TestCertificates.selfSigned(TestCertificates.ecKeys(), "SHA256withECDSA", dir.resolve("cert.pem"));
        Path key = TestCertificates.write(dir.resolve("key.pem"), "PRIVATE KEY", TestCertificates.ecKeys().getPrivate().getEncoded());
        ConfigException e = assertThrows(ConfigException.class, () -> NettyTls.load(new ServerConfig.Tls(cert, key, null, false)));
        assertEquals("--key-file " + key + " is not the private key of --cert-file " + cert, e.getMessage());
    }

    @Test
    void encryptedKeysAreRefused() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PemFiles.privateKey("key-file", key));
        assertEquals("--key-file " + key + ": the key is encrypted; etcd's flags take an unencrypted key", e.getMessage());
        Path legacy = Files.writeString(dir.resolve("legacy.pem"), "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThrows(ConfigException.class, () -> PemFiles.privateKey("key-file", legacy));
    }

    @Test
    void filesWithoutPemAreRefused() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        assertEquals("--key-file " + garbage + ": no PEM data in it",
                assertThrows(ConfigException.class, () -> PemFiles.privateKey("key-file", garbage)).getMessage());
        Path keyOnly = TestCertificates.write(dir.resolve("k.pem"), "PRIVATE KEY", TestCertificates.ecKeys().getPrivate().getEncoded());
        assertEquals("--trusted-ca-file " + keyOnly + ": no CERTIFICATE in it",
                assertThrows(ConfigException.class, () -> PemFiles.certificates("trusted-ca-file", keyOnly)).getMessage());
    }

    private static KeyPair keys(String algorithm) throws Exception {
        if (algorithm.equals("EC")) {
            return TestCertificates.ecKeys();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            g.initialize(2048);
        }
        return g.generateKeyPair();
    }
}
