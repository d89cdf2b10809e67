package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Put;
import io.metastore.command.Range;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EntryDecoderTest {

    private final EntryDecoder decoder = EntryCodecs.decoder();
    private final KryoEntryCodec kryo = (KryoEntryCodec) EntryCodecs.byName("kryo");

    /** The message names the entry's length and its first (at most 16) bytes in hex. */
    private static void assertNamesBytes(CorruptEntryException e, byte[] entry) {
        String hex = HexFormat.of().formatHex(entry, 0, Math.min(16, entry.length));
        assertTrue(e.getMessage().contains(hex), () -> "message lacks " + hex + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("length " + entry.length), e.getMessage());
    }

    private CorruptEntryException assertCorrupt(byte[] entry) {
        CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> decoder.decode(entry));
        assertNamesBytes(e, entry);
        return e;
    }

    @Test
    void mixedCodecLogDecodesIntoTheOriginalCommands() {
        List<Command> commands = new ArrayList<>(SampleCommands.all().values());
        List<byte[]> log = new ArrayList<>();
        List<Command> expected = new ArrayList<>();
        int i = 0;
        for (Command command : commands) {
            // json, kryo, protobuf, legacy headerless kryo, in turn
            log.add(switch (i++ % 4) {
                case 0 -> EntryCodecs.byName("json").encode(command);
                case 1 -> EntryCodecs.byName("kryo").encode(command);
                case 2 -> EntryCodecs.byName("protobuf").encode(command);
                default -> kryo.encodeBody(command);
            });
            expected.add(command);
        }
        List<Command> decoded = new ArrayList<>();
        for (byte[] entry : log) {
            decoded.add(decoder.decode(entry));
        }
        assertEquals(expected, decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.metastore.codec.EntryCodecContract#samples")
    void legacyHeaderlessKryoBodyDecodes(String name, Command command) {
        assertEquals(command, decoder.decode(kryo.encodeBody(command)));
    }

    @Test
    void emptyEntryIsCorrupt() {
        CorruptEntryException e = assertCorrupt(new byte[0]);
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    /**
     * The legacy format has no checksum, so a short random array is occasionally a valid entry
     * (two bytes can be a lease revoke): it must then decode to a command, never to null.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void shortRandomGarbageIsCorruptUnlessItIsAValidLegacyEntry(int length) {
        Random random = new Random(length);
        int accepted = 0;
        for (int round = 0; round < 200; round++) {
            byte[] garbage = new byte[length];
            random.nextBytes(garbage);
            try {
                assertNotNull(decoder.decode(garbage));
                accepted++;
            } catch (CorruptEntryException e) {
                assertNamesBytes(e, garbage);
            }
        }
        assertTrue(accepted < 10, accepted + " of 200 random arrays decoded");
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 17, 64, 1000})
    void randomGarbageIsCorrupt(int length) {
        Random random = new Random(length);
        for (int round = 0; round < 50; round++) {
            byte[] garbage = new byte[length];
            random.nextBytes(garbage);
            assertCorrupt(garbage);
        }
    }

    @Test
    void textIsCorrupt() {
        assertCorrupt(SampleCommands.b("{\"type\":\"put\",\"key\":\"aw==\"}"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 9, 0x7f, 0xff})
    void magicWithUnknownCodecIdIsCorrupt(int codecId) {
        byte[] entry = SampleCommands.bytes(0xe7, 0xcd, codecId, 1, 0x12, 0x34);
        CorruptEntryException e = assertCorrupt(entry);
        assertTrue(e.getMessage().contains("unknown codec id " + codecId), e.getMessage());
    }

    static Stream<Arguments> codecsAndVersions() {
        return EntryCodecs.standard().stream().flatMap(codec -> Stream.of(0, 2, 99, 0xff)
                .map(version -> Arguments.of(codec.name(), version)));
    }

    @ParameterizedTest(name = "{0} version {1}")
    @MethodSource("codecsAndVersions")
    void magicWithUnsupportedVersionIsCorrupt(String codecName, int version) {
        byte[] entry = EntryCodecs.byName(codecName).encode(SampleCommands.named("put_plain"));
        entry[3] = (byte) version;
        CorruptEntryException e = assertCorrupt(entry);
        assertTrue(e.getMessage().contains("version " + version), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void truncatedHeaderIsCorrupt(int length) {
        assertCorrupt(Arrays.copyOf(EntryHeader.of(EntryHeader.KRYO_ID), length));
    }

    @Test
    void headerWithoutBodyIsCorruptForEveryCodec() {
        for (EntryCodec codec : EntryCodecs.standard()) {
            assertCorrupt(EntryHeader.of(codec.id()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.metastore.codec.EntryCodecContract#samples")
    void truncatedLegacyEntryFailsLoudly(String name, Command command) {
        byte[] body = kryo.encodeBody(command);
        for (int length : new int[] {1, 2, 3, body.length / 2, body.length - 1}) {
            if (length > 0 && length < body.length) {
                assertCorrupt(Arrays.copyOf(body, length));
            }
        }
    }

    @Test
    void legacyEntryWithTrailingBytesIsCorrupt() {
        byte[] body = kryo.encodeBody(new Compact(5, false));
        assertCorrupt(Arrays.copyOf(body, body.length + 1));
    }

    /**
     * The legacy format has no checksum, so a flip inside raw key or value bytes is undetectable;
     * flips of structural bytes (class tag, length, flags, enum) must be caught.
     */
    @Test
    void flippedStructuralByteInLegacyEntryIsCorrupt() {
        byte[] put = kryo.encodeBody(new Put(SampleCommands.b("key"), SampleCommands.b("value"), 0, true, false,
                false));
        // layout: tag, 3, k e y, 5, v a l u e, lease 0, flags
        int[] structural = {0, 1, 5, put.length - 1};
        for (int position : structural) {
            byte[] flipped = put.clone();
            flipped[position] ^= (byte) 0xf0;
            assertCorrupt(flipped);
        }
    }

    @Test
    void legacyEntryHoldingATxnOpThatIsNoCommandIsCorrupt() {
        // A Range is registered but only valid inside a transaction.
        byte[] txn = kryo.encodeBody(SampleCommands.txn(List.of(), List.of(Range.of(new byte[] {1}, null)),
                List.of()));
        // drop the txn tag and the two counts before the range: tag, 0 compares, 1 success op
        byte[] range = Arrays.copyOfRange(txn, 3, txn.length - 1);
        assertCorrupt(range);
    }

    @Test
    void legacyEntryNamingAClassIsCorrupt() {
        // Kryo's class-by-name tag (1) followed by a class name: never resolved.
        byte[] entry = SampleCommands.bytes(0x01, 0x81, 'j', 'a', 'v', 'a', '.', 'l', 'a', 'n', 'g', '.', 'S');
        assertCorrupt(entry);
    }

    @Test
    void absurdlyDeepLegacyEntryIsCorruptNotAStackOverflow() {
        // a txn with no compares and one success op, itself such a txn, 10000 times over
        byte[] entry = new byte[3 * 10_000];
        for (int i = 0; i < entry.length; i += 3) {
            entry[i] = KryoEntryCodec.TXN_ID + 2;
            entry[i + 1] = 0;
            entry[i + 2] = 1;
        }
        assertCorrupt(entry);
    }

    @Test
    void nullTagIsCorruptNotNull() {
        assertCorrupt(new byte[] {0x00});
    }

    @Test
    void byNameListsTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryCodecs.byName("xml"));
        assertTrue(e.getMessage().contains("json, kryo, protobuf"), e.getMessage());
    }

    @Test
    void standardCodecsHaveTheirNamesAndIds() {
        List<EntryCodec> codecs = EntryCodecs.standard();
        assertEquals(List.of("json", "kryo", "protobuf"), codecs.stream().map(EntryCodec::name).toList());
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), codecs.stream().map(EntryCodec::id).toList());
    }
}
