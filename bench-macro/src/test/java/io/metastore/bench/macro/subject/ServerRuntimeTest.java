package io.metastore.bench.macro.subject;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerRuntimeTest {
    private static final int FEATURE = Runtime.version().feature();

    @Test
    void defaultIsTheHarnessJvmAndAJdkHomeIsNamedByTheVersionItsJavaPrints() {
        ServerRuntime d = ServerRuntime.parse("default");
        assertEquals("jdk" + FEATURE, d.name());
        assertTrue(d.isDefault());
        assertFalse(d.aot());

        Path home = Path.of(System.getProperty("java.home"));
        ServerRuntime fromHome = ServerRuntime.parse(home.toString());
        assertEquals(home.resolve("bin").resolve("java"), fromHome.java());
        assertEquals(FEATURE, fromHome.feature());
        assertFalse(fromHome.isDefault());
        assertEquals(fromHome, ServerRuntime.parse(home.resolve("bin/java").toString()));
    }

    @Test
    void aotNeedsJdk25AndRecordsOrStartsFromTheCacheItIsGiven() {
        if (FEATURE < 25) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerRuntime.parse("default+aot"));
            assertTrue(e.getMessage().contains("+aot needs JDK 25"), e.getMessage());
        }
        ServerRuntime aot = new ServerRuntime("jdk25-aot", Path.of("java"), 25, true, false);
        assertEquals(List.of("-XX:AOTCacheOutput=/c.aot"), aot.aotOptions(Path.of("/c.aot"), true));
        assertEquals(List.of("-XX:AOTCache=/c.aot"), aot.aotOptions(Path.of("/c.aot"), false));
        assertEquals(List.of(), ServerRuntime.harnessJvm().aotOptions(Path.of("/c.aot"), false));
        assertTrue(aot.options().contains("--enable-native-access=ALL-UNNAMED"), aot.options().toString());
    }

    @Test
    void aMissingJavaIsAUsageErrorNamingThePath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerRuntime.parse("/no/such/jdk"));
        assertTrue(e.getMessage().contains("/no/such/jdk/bin/java") || e.getMessage().contains("/no/such/jdk"),
                e.getMessage());
    }
}
