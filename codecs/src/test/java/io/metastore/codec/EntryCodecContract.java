package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.metastore.command.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link EntryCodec} must have. Golden files live in
 * {@code src/test/resources/golden/<codec>/<case>.bin}; run the tests with
 * {@code -Dgolden.write=true} to (re)write them instead of comparing.
 */
abstract class EntryCodecContract {

    static final Path GOLDEN_DIR = Path.of("src", "test", "resources", "golden");
    static final boolean WRITE_GOLDEN = Boolean.getBoolean("golden.write");

    /** The codec under test. */
    abstract EntryCodec codec();

    /** The id the codec must write in its header. */
    abstract byte expectedId();

    static Stream<Arguments> samples() {
        return SampleCommands.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static Stream<String> goldenCases() {
        return SampleCommands.GOLDEN.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyCommandShapeRoundTripsThroughEncodeAndDecode(String name, Command command) {
        assertEquals(command, codec().decode(codec().encode(command)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyCommandShapeRoundTripsThroughTheSharedDecoder(String name, Command command) {
        assertEquals(command, EntryCodecs.decoder().decode(codec().encode(command)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void entryStartsWithMagicCodecIdAndVersion(String name, Command command) {
        byte[] entry = codec().encode(command);
        assertEquals((byte) 0xE7, entry[0]);
        assertEquals((byte) 0xCD, entry[1]);
        assertEquals(expectedId(), entry[2]);
        assertEquals(1, entry[3]);
        assertTrue(entry.length > EntryHeader.LENGTH, "an entry always has a body");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodingIsDeterministic(String name, Command command) {
        assertArrayEquals(codec().encode(command), codec().encode(command));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void truncatedEntryFailsLoudly(String name, Command command) {
        byte[] entry = codec().encode(command);
        TreeSet<Integer> lengths = new TreeSet<>();
        for (int i = 0; i <= 12 && i < entry.length; i++) {
            lengths.add(i);
        }
        lengths.add(entry.length / 2);
        lengths.add(entry.length - 2);
        lengths.add(entry.length - 1);
        for (int length : lengths) {
            byte[] truncated = Arrays.copyOf(entry, length);
            CorruptEntryException own = assertThrows(CorruptEntryException.class, () -> codec().decode(truncated),
                    () -> name + " truncated to " + length + " of " + entry.length + " bytes decoded");
            CorruptEntryException shared = assertThrows(CorruptEntryException.class,
                    () -> EntryCodecs.decoder().decode(truncated),
                    () -> name + " truncated to " + length + " of " + entry.length + " bytes decoded");
            assertNamesLengthAndFirstBytes(own, truncated);
            assertNamesLengthAndFirstBytes(shared, truncated);
        }
    }

    /** A corrupt entry's message names its length and its first (at most 16) bytes in hex. */
    static void assertNamesLengthAndFirstBytes(CorruptEntryException e, byte[] entry) {
        String first = entry.length == 0 ? "(none)" : HexFormat.of().formatHex(entry, 0, Math.min(16, entry.length));
        assertTrue(e.getMessage().contains("length " + entry.length + ", first bytes " + first), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void trailingBytesAfterTheBodyAreRejected(String name, Command command) {
        byte[] entry = codec().encode(command);
        byte[] longer = Arrays.copyOf(entry, entry.length + 1);
        longer[entry.length] = 0x01;
        assertNamesLengthAndFirstBytes(assertThrows(CorruptEntryException.class, () -> codec().decode(longer)), longer);
    }

    @Test
    void entryOfAnotherCodecIsRejected() {
        Command command = SampleCommands.named("put_plain");
        for (EntryCodec other : EntryCodecs.standard()) {
            if (other.id() != codec().id()) {
                byte[] entry = other.encode(command);
                CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> codec().decode(entry));
                assertTrue(e.getMessage().contains("codec id " + other.id()), e.getMessage());
            }
        }
    }

    @Test
    void headerWithUnsupportedVersionIsRejected() {
        byte[] entry = codec().encode(SampleCommands.named("put_plain"));
        entry[3] = 99;
        CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> codec().decode(entry));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void nameAndIdMatchTheRegistry() {
        assertEquals(expectedId(), codec().id());
        assertEquals(codec().name(), EntryCodecs.byName(codec().name()).name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void goldenFileMatchesEncodingAndDecodesToTheCommand(String name) throws IOException {
        Command command = SampleCommands.named(name);
        Path file = GOLDEN_DIR.resolve(codec().name()).resolve(name + ".bin");
        byte[] encoded = codec().encode(command);
        if (WRITE_GOLDEN) {
            Files.createDirectories(file.getParent());
            Files.write(file, encoded);
            return;
        }
        if (!Files.exists(file)) {
            fail("missing golden file " + file + "; regenerate with -Dgolden.write=true");
        }
        byte[] golden = Files.readAllBytes(file);
        assertArrayEquals(golden, encoded, () -> "encoding of " + name + " differs from " + file
                + " (an incompatible format change needs a new version; regenerate with -Dgolden.write=true)");
        assertEquals(command, codec().decode(golden));
        assertEquals(command, EntryCodecs.decoder().decode(golden));
    }

    /** Every golden case names a sample, so the list cannot silently drift. */
    @Test
    void goldenCasesAreSamples() {
        Map<String, Command> all = SampleCommands.all();
        for (String name : SampleCommands.GOLDEN) {
            assertTrue(all.containsKey(name), name);
        }
    }
}
