package io.metastore.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * etcd's JWT tokens ({@code --auth-token jwt,...}): signed, self-contained tokens naming the
 * user, valid on every member that holds the same key without going through the log. A token
 * also carries a fingerprint of the user's password hash, so changing the password (or
 * removing the user) invalidates every token issued before.
 *
 * <p>Only HMAC signing (HS256 / HS384 / HS512 with a shared secret file) is supported.
 */
public final class JwtTokens {
    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Duration ttl;

    public JwtTokens(String signMethod, byte[] secret, Duration ttl) {
        this.algorithm = switch (signMethod.toUpperCase(Locale.ROOT)) {
            case "HS256" -> Algorithm.HMAC256(secret);
            case "HS384" -> Algorithm.HMAC384(secret);
            case "HS512" -> Algorithm.HMAC512(secret);
            default -> throw new IllegalArgumentException("unsupported JWT sign-method " + signMethod
                    + " (HS256, HS384 or HS512)");
        };
        this.verifier = JWT.require(algorithm).build();
        this.ttl = ttl;
    }

    public String issue(AuthStore.User user) {
        return JWT.create().withClaim("username", user.name()).withClaim("pwd", fingerprint(user))
                .withExpiresAt(Instant.now().plus(ttl)).sign(algorithm);
    }

    /** The user a valid token names, or {@code null} (bad signature, expired, user gone or password changed). */
    public String userOf(String token, AuthStore.View view) {
        try {
            DecodedJWT jwt = verifier.verify(token);
            String name = jwt.getClaim("username").asString();
            AuthStore.User u = name == null ? null : view.users().get(name);
            if (u == null || !fingerprint(u).equals(jwt.getClaim("pwd").asString())) {
                return null;
            }
            return name;
        } catch (JWTVerificationException e) {
            return null;
        }
    }

    private static String fingerprint(AuthStore.User u) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(u.passwordHash().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses {@code --auth-token}: {@code simple} (null: simple tokens through the log) or
     * {@code jwt,sign-method=HS256,priv-key=FILE[,ttl=300s]} as etcd spells it.
     */
    public static JwtTokens parse(String spec) {
        String[] parts = spec.trim().split(",");
        if (parts[0].equals("simple") && parts.length == 1) {
            return null;
        }
        if (!parts[0].equals("jwt")) {
            throw new IllegalArgumentException("--auth-token must be simple or jwt,sign-method=...,priv-key=FILE, got '"
                    + spec + "'");
        }
        String method = "HS256";
        String keyFile = null;
        Duration ttl = Duration.ofMinutes(5);
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--auth-token: '" + parts[i] + "' is not key=value");
            }
            switch (kv[0]) {
                case "sign-method" -> method = kv[1];
                case "priv-key" -> keyFile = kv[1];
                case "ttl" -> ttl = Duration.parse("PT" + kv[1].toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("--auth-token: unknown option '" + kv[0] + "'");
            }
        }
        if (keyFile == null) {
            throw new IllegalArgumentException("--auth-token jwt needs priv-key=FILE (the shared HMAC secret)");
        }
        try {
            return new JwtTokens(method, java.nio.file.Files.readAllBytes(java.nio.file.Path.of(keyFile)), ttl);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--auth-token: cannot read priv-key " + keyFile + ": " + e.getMessage());
        }
    }
}
