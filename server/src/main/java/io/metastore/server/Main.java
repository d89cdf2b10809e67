package io.metastore.server;

import io.metastore.server.config.ConfigException;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.logging.Logging;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one MetaStore member in the foreground until SIGTERM or SIGINT. Bad options or an
 * unusable data dir end the process with one line on stderr and a non-zero exit code ({@code --version}
 * and {@code --help} print and exit 0). The
 * start-up and shutdown lines go to stdout as plain text (harnesses wait for them); logging,
 * configured here from {@code --log-format} and {@code --log-level}, goes to stderr.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length >= 2 && args[0].equals("snapshot") && args[1].equals("restore")) {
            return restore(args, out, err);
        }
        ServerConfig config;
        ConfigLoader.Run run;
        try {
            ConfigLoader.Outcome outcome = ConfigLoader.load(args, System.getenv());
            if (outcome instanceof ConfigLoader.Help help) {
                out.print(help.text());
                return 0;
            }
            if (outcome instanceof ConfigLoader.Version) {
                out.print(BuildInfo.load().text());
                return 0;
            }
            run = (ConfigLoader.Run) outcome;
            config = run.config();
        } catch (ConfigException e) {
            err.println("metastore: " + e.getMessage());
            return 2;
        }
        Logging.configure(config.log().json() ? Logging.Format.JSON : Logging.Format.TEXT, Logging.level(config.log().level()));
        // etcd's notes on the environment and the config file: logged, so they follow --log-format too
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
        for (String notice : run.notices()) {
            if (notice.startsWith("warning: ")) {
                log.warn(notice.substring("warning: ".length()));
            } else {
                log.info(notice);
            }
        }
        MetaStoreServer server;
        try {
            server = MetaStoreServer.start(config);
        } catch (ConfigException e) { // the certificate files are read only here
            err.println("metastore: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("metastore: cannot start: " + oneLine(e));
            return 1;
        }
        out.println("metastore: " + config.describe());
        String overTls = config.tls().enabled() ? " over TLS" : "";
        out.println("metastore: serving etcd gRPC and HTTP" + overTls + " on " + config.grpcHost() + ":" + server.grpcPort()
                + (server.httpPort() == 0 ? "" : ", the key-value HTTP API" + overTls + " on " + config.grpcHost() + ":"
                + server.httpPort()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("metastore: shutting down");
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** {@code snapshot restore FILE --data-dir DIR}. */
    private static int restore(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 5 || !args[3].equals("--data-dir")) {
            err.println("metastore: usage: metastore snapshot restore FILE --data-dir DIR");
            return 2;
        }
        try {
            SnapshotRestore.restore(java.nio.file.Path.of(args[2]), java.nio.file.Path.of(args[4]));
        } catch (java.io.IOException | RuntimeException e) {
            err.println("metastore: cannot restore: " + oneLine(e));
            return 1;
        }
        out.println("metastore: restored " + args[2] + " into " + args[4]);
        return 0;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        while ((m == null || m.isBlank()) && e.getCause() != null) {
            e = e.getCause();
            m = e.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
