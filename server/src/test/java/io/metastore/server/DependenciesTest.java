package io.metastore.server;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One Netty on the class path, and one past the HTTP/2 and codec CVEs fixed up to 4.1.126. */
class DependenciesTest {
    @Test
    void oneNettyAtLeast4_1_126() {
        Map<String, String> versions = new TreeMap<>();
        Version.identify().forEach((artifact, v) -> versions.put(artifact, v.artifactVersion()));
        assertNull(versions.get("netty-all"), "netty-all ships beside the modules: " + versions);
        assertEquals(1, versions.values().stream().distinct().count(), "Netty versions differ: " + versions);
        String v = versions.values().iterator().next(); // e.g. 4.1.141.Final
        String[] parts = v.split("\\.");
        assertEquals("4", parts[0], v);
        assertEquals("1", parts[1], v);
        // CVE-2025-55163 (HTTP/2 MadeYouReset) fixed in 4.1.124, CVE-2025-58056/58057 in 4.1.126
        assertTrue(Integer.parseInt(parts[2]) >= 126, v);
    }
}
