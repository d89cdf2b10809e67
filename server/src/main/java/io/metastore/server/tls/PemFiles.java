package io.metastore.server.tls;

import io.metastore.server.config.ConfigException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files read as etcd reads them (Go's {@code tls.X509KeyPair}): every {@code CERTIFICATE}
 * block of a certificate file, and the first {@code ... PRIVATE KEY} block of a key file, in any
 * of the three unencrypted forms tools write: PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}, e.g. {@code openssl genrsa} before 3.0) and SEC1
 * ({@code EC PRIVATE KEY}, e.g. cfssl). The JDK reads only PKCS#8, so the other two are wrapped
 * into it:
 *
 * <pre>
 *   PrivateKeyInfo ::= SEQUENCE {
 *       version    INTEGER 0,
 *       algorithm  SEQUENCE { OID rsaEncryption, NULL }          -- PKCS#1
 *               |  SEQUENCE { OID id-ecPublicKey, OID curve }     -- SEC1: the curve is the key's [0] field
 *       privateKey OCTET STRING (the PKCS#1 or SEC1 DER, unchanged) }
 * </pre>
 *
 * Every failure is a {@link ConfigException} naming the option and the file.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
    /** {@code SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }}. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** {@code OID 1.2.840.10045.2.1}. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PemFiles() {
    }

    /** The certificates of {@code file}, in file order (the server's own first, then its chain). */
    static X509Certificate[] certificates(String option, Path file) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(option, file)) {
                if (b.type().equals("CERTIFICATE")) {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der(option, file))));
                }
            }
        } catch (CertificateException e) {
            throw new ConfigException("--" + option + " " + file + ": not a valid certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new ConfigException("--" + option + " " + file + ": no CERTIFICATE in it");
        }
        return out.toArray(X509Certificate[]::new);
    }

    /** The first private key of {@code file}. */
    static PrivateKey privateKey(String option, Path file) {
        for (Block b : blocks(option, file)) {
            if (!b.type().endsWith("PRIVATE KEY")) {
                continue;
            }
            if (b.type().equals("ENCRYPTED PRIVATE KEY") || b.body().contains("Proc-Type:")) {
                throw new ConfigException("--" + option + " " + file + ": the key is encrypted; etcd's flags take an"
                        + " unencrypted key");
            }
            byte[] der = b.der(option, file);
            return switch (b.type()) {
                case "PRIVATE KEY" -> pkcs8(option, file, der, "RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");
                case "RSA PRIVATE KEY" -> pkcs8(option, file, sequence(VERSION_0, RSA_ALGORITHM, octetString(der)), "RSA");
                case "EC PRIVATE KEY" -> pkcs8(option, file, sequence(VERSION_0,
                        sequence(EC_PUBLIC_KEY_OID, curveOf(option, file, der)), octetString(der)), "EC");
                default -> throw new ConfigException("--" + option + " " + file + ": cannot read a " + b.type());
            };
        }
        throw new ConfigException("--" + option + " " + file + ": no PRIVATE KEY in it");
    }

    /** Why an SSL context could not be built, in one line. */
    static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    /**
     * Fails unless {@code key} is the private half of {@code cert}'s public key (Go's
     * {@code X509KeyPair} checks the same): a signature made with the key must verify with the cert.
     */
    static void checkPair(PrivateKey key, X509Certificate cert, String prefix, Path keyFile, Path certFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // nothing to check it with here; the handshake would fail instead
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "metastore key pair check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            matches = v.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new ConfigException("--" + prefix + "key-file " + keyFile + " is not the private key of --" + prefix
                    + "cert-file " + certFile);
        }
    }

    private record Block(String type, String body) {
        byte[] der(String option, Path file) {
            try {
                return Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--" + option + " " + file + ": bad base64 in its " + type + ": " + e.getMessage());
            }
        }
    }

    private static List<Block> blocks(String option, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException("--" + option + ": cannot read " + file + ": " + e.getMessage());
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        if (out.isEmpty()) {
            throw new ConfigException("--" + option + " " + file + ": no PEM data in it");
        }
        return out;
    }

    private static PrivateKey pkcs8(String option, Path file, byte[] der, String... algorithms) {
        for (String a : algorithms) {
            try {
                return KeyFactory.getInstance(a).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException tryNext) {
                // not this algorithm
            }
        }
        throw new ConfigException("--" + option + " " + file + ": not a usable " + String.join(", ", algorithms) + " key");
    }

    /**
     * The curve OID of a SEC1 key: {@code ECPrivateKey ::= SEQUENCE { version INTEGER 1,
     * privateKey OCTET STRING, parameters [0] OID OPTIONAL, publicKey [1] BIT STRING OPTIONAL }}.
     */
    private static byte[] curveOf(String option, Path file, byte[] sec1) {
        try {
            Der top = Der.read(sec1, 0);
            if (top.tag != 0x30) {
                throw new IllegalArgumentException("not a SEQUENCE");
            }
            for (int at = top.contentStart; at < top.end; ) {
                Der field = Der.read(sec1, at);
                if (field.tag == (byte) 0xa0) {
                    Der oid = Der.read(sec1, field.contentStart);
                    if (oid.tag == 0x06) {
                        return Arrays.copyOfRange(sec1, field.contentStart, oid.end);
                    }
                }
                at = field.end;
            }
        } catch (RuntimeException e) {
            throw new ConfigException("--" + option + " " + file + ": not a valid EC PRIVATE KEY: " + e.getMessage());
        }
        throw new ConfigException("--" + option + " " + file + ": the EC PRIVATE KEY does not name its curve");
    }

    /** One DER element at {@code start}: its tag, where its content starts and where it ends. */
    private record Der(byte tag, int contentStart, int end) {
        static Der read(byte[] b, int start) {
            int at = start + 1;
            int len = b[at++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[at++] & 0xff);
                }
            }
            if (at + len > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Der(b[start], at, at + len);
        }
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        return tagged(0x30, content.toByteArray());
    }

    private static byte[] octetString(byte[] content) {
        return tagged(0x04, content);
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
