package io.metastore.server;

import io.metastore.server.maintenance.Maintenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;

/**
 * What {@code --version} prints, in the shape of etcd's ({@code etcd Version: 3.4.23}, {@code Git
 * SHA}, {@code Go Version}, {@code Go OS/Arch}) but about MetaStore: its version and commit (from
 * {@code metastore-build.properties}, which Maven fills in), the Java runtime, and the etcd API
 * version it speaks. Without a commit recorded at build time it says so, as etcd's
 * {@code Not provided (use ./build instead of go build)} does.
 *
 * @param version MetaStore's version (the Maven project version)
 * @param gitSha  the commit it was built from, or empty
 */
public record BuildInfo(String version, String gitSha) {
    private static final String RESOURCE = "/metastore-build.properties";

    /** The build's own information, read from the classpath. */
    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("git.sha")));
    }

    /** An unfiltered placeholder ({@code ${git.sha}}) means nothing was recorded. */
    private static String known(String v) {
        return v == null || v.isBlank() || v.startsWith("${") ? "" : v.trim();
    }

    /** The {@code --version} text, one {@code Key: value} line each. */
    public String text() {
        return "MetaStore Version: " + (version.isEmpty() ? "unknown" : version) + "\n"
                + "Git SHA: " + (gitSha.isEmpty() ? "Not provided (build with ./metastore, or mvn -Dgit.sha=...)" : gitSha) + "\n"
                + "Java Version: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")\n"
                + "Java OS/Arch: " + System.getProperty("os.name").toLowerCase(Locale.ROOT) + "/" + goArch(System.getProperty("os.arch")) + "\n"
                + "etcd API Version: " + Maintenance.VERSION + "\n";
    }

    /** Go's names for the architectures Java calls otherwise ({@code amd64} is the same in both). */
    private static String goArch(String arch) {
        return switch (arch) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }
}
