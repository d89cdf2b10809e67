package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metastore.command.AlarmChange;
import io.metastore.command.AuthChange;
import io.metastore.command.MemberChange;
import io.metastore.command.Put;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GsonEntryCodecTest extends EntryCodecContract {

    private final GsonEntryCodec codec = new GsonEntryCodec();

    @Override
    EntryCodec codec() {
        return codec;
    }

    @Override
    byte expectedId() {
        return 1;
    }

    private static byte[] entry(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] entry = Arrays.copyOf(EntryHeader.of(EntryHeader.JSON_ID), EntryHeader.LENGTH + body.length);
        System.arraycopy(body, 0, entry, EntryHeader.LENGTH, body.length);
        return entry;
    }

    private static String body(byte[] entry) {
        return new String(entry, EntryHeader.LENGTH, entry.length - EntryHeader.LENGTH, StandardCharsets.UTF_8);
    }

    @Test
    void putIsWrittenAsTypedObjectWithBase64BytesAndEveryField() {
        Put put = new Put(SampleCommands.bytes(0x00, 0xff), SampleCommands.bytes(0xc3, 0x28), 5, true, false, true);
        assertEquals("{\"type\":\"put\",\"key\":\"AP8=\",\"value\":\"wyg=\",\"lease\":5,\"prevKv\":true,"
                + "\"ignoreValue\":false,\"ignoreLease\":true}", body(codec.encode(put)));
    }

    @Test
    void membersMayComeInAnyOrderAfterTheType() {
        byte[] entry = entry("{\"type\":\"put\",\"ignoreLease\":true,\"value\":\"dg==\",\"key\":\"aw==\"}");
        assertEquals(new Put(SampleCommands.b("k"), SampleCommands.b("v"), 0, false, false, true),
                codec.decode(entry));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"key\":\"aw==\",\"type\":\"put\"}",
        "{\"type\":\"put\"}",
        "{\"type\":\"put\",\"key\":\"aw==\",\"colour\":\"red\"}",
        "{\"type\":\"teleport\",\"key\":\"aw==\"}",
        "{\"type\":\"put\",\"key\":\"not base64!\"}",
        "{\"type\":\"put\",\"key\":\"aw==\"} {}",
        "{\"type\":\"range\",\"key\":\"aw==\"}",
        "{\"type\":\"batch\",\"commands\":[{\"type\":\"batch\",\"commands\":[]}]}",
        "{\"type\":\"txn\",\"compare\":[{\"result\":\"SIDEWAYS\",\"target\":\"MOD\",\"key\":\"aw==\"}]}",
        "{\"type\":\"compact\",\"revision\":1.5}",
        "{type:\"compact\"}",
        "{\"type\":\"auth_enable\",\"user\":\"root\"}",
        "{\"type\":\"authenticate\",\"user\":\"root\"}",
        "{\"type\":\"user_delete\"}",
        "{\"type\":\"user_delete\",\"name\":5}",
        "{\"type\":\"user_delete\",\"name\":null}",
        "{\"type\":\"user_change_password\",\"name\":\"u\"}",
        "{\"type\":\"role_delete\",\"name\":\"r\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":\"ADMIN\",\"key\":\"aw==\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"type\":\"READ\",\"key\":\"aw==\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":\"READ\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":\"7\",\"key\":\"aw==\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":7.5,\"key\":\"aw==\"}",
        "{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":4294967296,\"key\":\"aw==\"}",
        "{\"type\":\"role_revoke_permission\",\"role\":\"r\"}",
        "{\"type\":\"alarm\",\"action\":\"GET\",\"memberId\":1,\"alarm\":\"NOSPACE\"}",
        "{\"type\":\"alarm\",\"memberId\":1,\"alarm\":\"NOSPACE\"}",
        "{\"type\":\"alarm\",\"action\":\"ACTIVATE\",\"memberId\":1,\"alarm\":\"CORRUPT\"}",
        "{\"type\":\"member_change\",\"action\":\"RENAME\",\"peer\":\"h:1\",\"memberId\":1}",
        "{\"type\":\"member_change\",\"peer\":\"h:1\",\"memberId\":1}",
        "{\"type\":\"member_change\",\"action\":\"ASSIGN\",\"memberId\":1}",
        "{\"type\":\"member_change\",\"action\":\"ASSIGN\",\"peer\":2380,\"memberId\":1}",
        "[]",
        "null",
        ""
    })
    void malformedJsonIsCorrupt(String json) {
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(json)));
    }

    @Test
    void authChangesAreWrittenWithEveryFieldAndPermTypeForThePermission() {
        assertEquals("{\"type\":\"auth_enable\"}", body(codec.encode(new AuthChange.Enable())));
        assertEquals("{\"type\":\"user_add\",\"name\":\"Zoë\",\"passwordHash\":\"\",\"noPassword\":true}",
                body(codec.encode(new AuthChange.UserAdd("Zoë", "", true))));
        assertEquals("{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":\"READWRITE\","
                + "\"key\":\"AP8=\",\"rangeEnd\":\"AA==\"}",
                body(codec.encode(new AuthChange.RoleGrantPermission("r", AuthChange.PermissionType.READWRITE,
                        SampleCommands.bytes(0x00, 0xff), SampleCommands.bytes(0x00)))));
        assertEquals("{\"type\":\"role_grant_permission\",\"name\":\"r\",\"permType\":7,"
                + "\"key\":\"aw==\",\"rangeEnd\":\"\"}",
                body(codec.encode(new AuthChange.RoleGrantPermission("r", 7, SampleCommands.b("k"), null))));
        assertEquals("{\"type\":\"alarm\",\"action\":\"ACTIVATE\",\"memberId\":-1,\"alarm\":\"NOSPACE\"}",
                body(codec.encode(new AlarmChange(AlarmChange.Action.ACTIVATE, -1, AlarmChange.Type.NOSPACE))));
    }

    @Test
    void memberChangeIsWrittenWithActionPeerAndSignedId() {
        assertEquals("{\"type\":\"member_change\",\"action\":\"ASSIGN\",\"peer\":\"h:1\",\"memberId\":-2}",
                body(codec.encode(new MemberChange(MemberChange.Action.ASSIGN, "h:1", -2))));
        assertEquals(new MemberChange(MemberChange.Action.FORGET, "h:1", 0),
                codec.decode(entry("{\"type\":\"member_change\",\"peer\":\"h:1\",\"action\":\"FORGET\"}")));
    }

    @Test
    void missingOptionalAuthMembersTakeTheirDefaults() {
        assertEquals(new AuthChange.UserAdd("u", "", false),
                codec.decode(entry("{\"type\":\"user_add\",\"name\":\"u\"}")));
        assertEquals(new AuthChange.RoleRevokePermission("r", SampleCommands.b("k"), new byte[0]),
                codec.decode(entry("{\"type\":\"role_revoke_permission\",\"key\":\"aw==\",\"role\":\"r\"}")));
        assertEquals(new AlarmChange(AlarmChange.Action.DEACTIVATE, 0, AlarmChange.Type.NONE),
                codec.decode(entry("{\"type\":\"alarm\",\"alarm\":\"NONE\",\"action\":\"DEACTIVATE\"}")));
    }

    @Test
    void absurdlyDeepNestingIsCorruptNotAStackOverflow() {
        int depth = 10_000;
        String json = "{\"type\":\"txn\",\"success\":[".repeat(depth) + "]}".repeat(depth);
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(json)));
    }

    @Test
    void invalidUtf8InTheBodyIsCorrupt() {
        byte[] entry = entry("{\"type\":\"lease_revoke\",\"id\":1}");
        entry[EntryHeader.LENGTH + 10] = (byte) 0xff;
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry));
    }
}
