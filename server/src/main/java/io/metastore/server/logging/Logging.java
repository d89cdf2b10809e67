package io.metastore.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter2;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URL;
import java.util.Locale;

/**
 * Reloads the server's {@code logback.xml} with the logging options. Logging is a property of
 * the process, not of a member, so only {@code Main} calls this; members embedded in tests and
 * benchmarks log with the file's defaults. It also routes {@code java.util.logging} (grpc-java's
 * logger: an oversized message, a broken stream) into SLF4J, so every line the process writes
 * follows {@code --log-format} and {@code --log-level}; the file's {@code LevelChangePropagator}
 * keeps JUL's levels equal to logback's, so a disabled JUL call stays cheap.
 */
public final class Logging {
    private Logging() {
    }

    /** How log lines look. */
    public enum Format { TEXT, JSON }

    /**
     * Configures logging: {@code format} for every line, {@code level} for MetaStore's own
     * loggers; the libraries log at WARN, or at {@code level} when that is stricter.
     */
    public static void configure(Format format, Level level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding was put on the classpath: it keeps its own configuration
        }
        URL file = Logging.class.getResource("/logback.xml");
        if (file == null) {
            throw new IllegalStateException("logback.xml is missing from the classpath");
        }
        context.reset();
        context.putProperty("LOG_FORMAT", format.name());
        context.putProperty("LOG_LEVEL", level.toString());
        context.putProperty("LIB_LOG_LEVEL", level.isGreaterOrEqual(Level.WARN) ? level.toString() : Level.WARN.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(file);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging: " + e.getMessage(), e);
        }
        if (new StatusUtil(context).getHighestLevel(0) >= Status.ERROR) {
            new StatusPrinter2().print(context);
            throw new IllegalStateException("cannot configure logging: logback reported errors (above)");
        }
        // JUL's own ConsoleHandler on the root logger would print a second, unformatted copy of every line
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** Parses {@code --log-level}: error, warn, info, debug or trace. */
    public static Level level(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        return switch (n) {
            case "ERROR", "WARN", "INFO", "DEBUG", "TRACE" -> Level.toLevel(n);
            default -> throw new IllegalArgumentException("must be error, warn, info, debug or trace, got '" + name + "'");
        };
    }
}
