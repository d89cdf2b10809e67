package io.metastore.server.tls;

import io.netty.util.NetUtil;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names in a certificate that etcd's {@code --peer-cert-allowed-cn} and
 * {@code --*-cert-allowed-hostname} compare: the subject's Common Name, and the SAN DNS names and
 * IP addresses as Go's {@code x509.Certificate.VerifyHostname} (Go 1.19, etcd 3.4.23's) matches
 * them:
 *
 * <ul>
 *   <li>a name that is an IP address ({@code 127.0.0.1}, {@code ::1}, {@code [::1]}) matches only an
 *       IP SAN equal to it, never a DNS name;</li>
 *   <li>any other name matches a DNS SAN case-insensitively, a trailing dot on either ignored
 *       ({@code PEER.example.} matches {@code peer.example}), and a SAN {@code *.example} matches
 *       exactly one more label ({@code a.example}, not {@code a.b.example} or {@code example});</li>
 *   <li>the Common Name is never a host name (Go stopped reading it as one in 1.15).</li>
 * </ul>
 */
final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private CertificateNames() {
    }

    /** The subject's (last) Common Name, or {@code ""} without one, as Go's {@code Subject.CommonName}. */
    static String commonName(X509Certificate cert) {
        String cn = "";
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    // getRdns() runs in the certificate's order; Go's FillFromRDNSequence keeps the last CN
                    cn = String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return "";
        }
        return cn;
    }

    /** The SAN DNS names, in certificate order. */
    static List<String> dnsNames(X509Certificate cert) {
        return sans(cert, SAN_DNS);
    }

    /** The SAN IP addresses, as the JDK writes them ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}). */
    static List<String> ipAddresses(X509Certificate cert) {
        return sans(cert, SAN_IP);
    }

    /** Whether {@code cert} is valid for {@code host}, by Go's {@code VerifyHostname} rules above. */
    static boolean matchesHostname(X509Certificate cert, String host) {
        String ip = host.length() >= 3 && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] wanted = NetUtil.createByteArrayFromIpAddressString(ip);
        if (wanted != null) {
            for (String candidate : ipAddresses(cert)) {
                byte[] have = NetUtil.createByteArrayFromIpAddressString(candidate);
                if (have != null && Arrays.equals(normalize(have), normalize(wanted))) {
                    return true;
                }
            }
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        for (String pattern : dnsNames(cert)) {
            if (matches(pattern.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4-mapped IPv6 address as its IPv4 form, as Go's {@code net.IP.Equal} compares them. */
    private static byte[] normalize(byte[] ip) {
        if (ip.length == 16) {
            boolean mapped = ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = ip[i] == 0;
            }
            if (mapped) {
                return Arrays.copyOfRange(ip, 12, 16);
            }
        }
        return ip;
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.equals(host)) {
            return true;
        }
        String p = stripDot(pattern);
        String h = stripDot(host);
        if (p.isEmpty() || h.isEmpty()) {
            return false;
        }
        String[] pl = p.split("\\.", -1);
        String[] hl = h.split("\\.", -1);
        if (pl.length != hl.length) {
            return false;
        }
        for (int i = 0; i < pl.length; i++) {
            if (i == 0 && pl[i].equals("*") && pl.length > 2 && !hl[i].isEmpty()) {
                continue;
            }
            if (!pl[i].equals(hl[i])) {
                return false;
            }
        }
        return true;
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<String> sans(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> san : all) {
                    if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type && san.get(1) instanceof String v) {
                        out.add(v);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no readable SAN extension: no names
        }
        return out;
    }
}
