package io.metastore.server.logging;

import ch.qos.logback.classic.Level;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logging options applied to the server's logback.xml, checked on what reaches stderr. */
class LoggingTest {
    final PrintStream realErr = System.err;
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.setErr(realErr);
        Logging.configure(Logging.Format.TEXT, Level.INFO); // the file's defaults, as the other tests expect
    }

    List<String> lines() {
        System.err.flush();
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    void captureStderr() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Test
    void jsonFormatWritesOneParseableObjectPerLine() {
        captureStderr();
        Logging.configure(Logging.Format.JSON, Level.INFO);
        Logger log = LoggerFactory.getLogger("io.metastore.test");
        log.info("applied {} entries", 3);
        log.warn("with a \"quoted\" word\nand a second line", new IllegalStateException("boom"));
        List<String> lines = lines();
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("INFO", first.get("level").getAsString());
        assertEquals("io.metastore.test", first.get("loggerName").getAsString());
        assertEquals("applied 3 entries", first.get("formattedMessage").getAsString());
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals("with a \"quoted\" word\nand a second line", second.get("formattedMessage").getAsString());
        assertTrue(second.get("throwable").toString().contains("boom"), second.toString());
    }

    @Test
    void textFormatIsOneHumanReadableLine() {
        captureStderr();
        Logging.configure(Logging.Format.TEXT, Level.INFO);
        LoggerFactory.getLogger("io.metastore.test").info("became leader at term {}", 7);
        List<String> lines = lines();
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.+] INFO  io\\.metastore\\.test - became leader at term 7"),
                lines.get(0));
    }

    @Test
    void theLevelAppliesToMetaStoreAndLibrariesStayAtWarnUnlessItIsStricter() {
        Logging.configure(Logging.Format.TEXT, Level.DEBUG);
        assertTrue(LoggerFactory.getLogger("io.metastore.server.raft.RaftNode").isDebugEnabled());
        assertFalse(LoggerFactory.getLogger("com.alipay.sofa.jraft.core.NodeImpl").isInfoEnabled());
        assertTrue(LoggerFactory.getLogger("com.alipay.sofa.jraft.core.NodeImpl").isWarnEnabled());

        Logging.configure(Logging.Format.TEXT, Level.ERROR);
        assertFalse(LoggerFactory.getLogger("io.metastore.server.raft.RaftNode").isWarnEnabled());
        assertFalse(LoggerFactory.getLogger("io.grpc.netty.NettyServer").isWarnEnabled());
        assertTrue(LoggerFactory.getLogger("io.grpc.netty.NettyServer").isErrorEnabled());
    }

    @Test
    void levelNamesAreEtcdsLowerCaseOnes() {
        assertEquals(Level.WARN, Logging.level("warn"));
        assertEquals(Level.DEBUG, Logging.level(" DEBUG "));
        assertThrows(IllegalArgumentException.class, () -> Logging.level("verbose"));
    }
}
