package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * An etcd-compatible endpoint that is already running ({@code --target NAME=HOST:PORT}). The
 * harness neither starts nor stops it, so its data carries over from cell to cell.
 */
public record ExternalSubject(String name, String host, int port) implements Subject {
    public static ExternalSubject parse(String text) {
        int eq = text.indexOf('=');
        int colon = text.lastIndexOf(':');
        if (eq <= 0 || colon < eq) {
            throw new IllegalArgumentException("--target wants NAME=HOST:PORT, got '" + text + "'");
        }
        return new ExternalSubject(text.substring(0, eq), text.substring(eq + 1, colon),
                Integer.parseInt(text.substring(colon + 1)));
    }

    @Override
    public String id() {
        return Subject.safe(name);
    }

    @Override
    public String kind() {
        return "external";
    }

    @Override
    public String config() {
        return name;
    }

    @Override
    public String storage() {
        return "-";
    }

    @Override
    public int nodes() {
        return 0;
    }

    @Override
    public Endpoint start(Path work) throws Exception {
        ManagedProcess.awaitRange(host, port, java.time.Duration.ofSeconds(10), null);
        return new Endpoint() {
            @Override
            public java.util.List<Member> members() {
                // Its role is unknown; as the only endpoint given it is the one all load goes to.
                return java.util.List.of(new Member(name, host, port, true, OptionalLong.empty()));
            }

            @Override
            public OptionalLong jvmPid() {
                return OptionalLong.empty();
            }

            @Override
            public String startupLine() {
                return "";
            }

            @Override
            public void close() {
            }
        };
    }
}
