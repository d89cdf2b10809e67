package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metastore.command.AlarmChange;
import io.metastore.command.AuthChange;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.MemberChange;
import io.metastore.command.Put;
import io.metastore.command.Txn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KryoEntryCodecTest extends EntryCodecContract {

    private final KryoEntryCodec codec = new KryoEntryCodec();

    @Override
    EntryCodec codec() {
        return codec;
    }

    @Override
    byte expectedId() {
        return 2;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void entryIsTheHeaderFollowedByTheLegacyBody(String name, Command command) {
        byte[] entry = codec.encode(command);
        byte[] body = codec.encodeBody(command);
        assertArrayEquals(body, Arrays.copyOfRange(entry, EntryHeader.LENGTH, entry.length));
        assertEquals(command, codec.decodeBody(body, 0, body.length));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void legacyBodyStartsBelowTheMagicByte(String name, Command command) {
        int first = codec.encodeBody(command)[0] & 0xff;
        assertEquals(true, first < 0x80 && first != (EntryHeader.MAGIC_0 & 0xff), "first byte " + first);
    }

    @Test
    void classTagsFollowTheFixedIdTable() {
        assertEquals(KryoEntryCodec.PUT_ID + 2, codec.encodeBody(Put.of(new byte[] {1}, new byte[0]))[0]);
        assertEquals(KryoEntryCodec.DELETE_RANGE_ID + 2, codec.encodeBody(DeleteRange.key(new byte[] {1}))[0]);
        assertEquals(KryoEntryCodec.COMPACT_ID + 2, codec.encodeBody(new Compact(1, false))[0]);
        assertEquals(KryoEntryCodec.LEASE_GRANT_ID + 2, codec.encodeBody(new LeaseGrant(1, 1))[0]);
        assertEquals(KryoEntryCodec.BATCH_ID + 2, codec.encodeBody(SampleCommands.named("empty_batch"))[0]);
        assertEquals(KryoEntryCodec.TXN_ID + 2, codec.encodeBody(SampleCommands.named("empty_txn"))[0]);
    }

    @Test
    void authAndAlarmClassTagsFollowTheFixedIdTable() {
        int[][] expected = {
            {KryoEntryCodec.AUTH_ENABLE_ID, 25}, {KryoEntryCodec.AUTH_DISABLE_ID, 26},
            {KryoEntryCodec.AUTHENTICATE_ID, 27}, {KryoEntryCodec.USER_ADD_ID, 28},
            {KryoEntryCodec.USER_DELETE_ID, 29}, {KryoEntryCodec.USER_CHANGE_PASSWORD_ID, 30},
            {KryoEntryCodec.USER_GRANT_ROLE_ID, 31}, {KryoEntryCodec.USER_REVOKE_ROLE_ID, 32},
            {KryoEntryCodec.ROLE_ADD_ID, 33}, {KryoEntryCodec.ROLE_DELETE_ID, 34},
            {KryoEntryCodec.ROLE_GRANT_PERMISSION_ID, 35}, {KryoEntryCodec.ROLE_REVOKE_PERMISSION_ID, 36},
            {KryoEntryCodec.ALARM_ID, 37}};
        for (int[] pair : expected) {
            assertEquals(pair[1], pair[0]);
        }
        String[] samples = {"auth_enable", "auth_disable", "authenticate", "user_add_no_password", "user_delete",
            "user_change_password", "user_grant_role", "user_revoke_role", "role_add", "role_delete",
            "role_grant_permission_binary", "role_revoke_permission", "alarm_deactivate"};
        for (int i = 0; i < samples.length; i++) {
            assertEquals(25 + i + 2, codec.encodeBody(SampleCommands.named(samples[i]))[0], samples[i]);
        }
    }

    @Test
    void authAndAlarmBodyLayouts() {
        assertArrayEquals(new byte[] {KryoEntryCodec.AUTH_ENABLE_ID + 2}, codec.encodeBody(new AuthChange.Enable()));
        // name "é" as two UTF-8 bytes, empty hash, flags(noPassword)
        assertArrayEquals(new byte[] {KryoEntryCodec.USER_ADD_ID + 2, 2, (byte) 0xc3, (byte) 0xa9, 0, 1},
                codec.encodeBody(new AuthChange.UserAdd("\u00e9", "", true)));
        // name, type WRITE, key, rangeEnd
        assertArrayEquals(new byte[] {KryoEntryCodec.ROLE_GRANT_PERMISSION_ID + 2, 1, 'r', 1, 1, 'k', 1, 0},
                codec.encodeBody(new AuthChange.RoleGrantPermission("r", AuthChange.PermissionType.WRITE,
                        new byte[] {'k'}, new byte[] {0})));
        // action DEACTIVATE, member 5, alarm NOSPACE
        assertArrayEquals(new byte[] {KryoEntryCodec.ALARM_ID + 2, 1, 5, 1},
                codec.encodeBody(new AlarmChange(AlarmChange.Action.DEACTIVATE, 5, AlarmChange.Type.NOSPACE)));
    }

    @Test
    void memberChangeFollowsTheAlarmInTheIdTableWithActionPeerThenId() {
        assertEquals(38, KryoEntryCodec.MEMBER_CHANGE_ID);
        // action FORGET, peer "h:1" as three UTF-8 bytes, member 5
        assertArrayEquals(new byte[] {KryoEntryCodec.MEMBER_CHANGE_ID + 2, 1, 3, 'h', ':', '1', 5},
                codec.encodeBody(new MemberChange(MemberChange.Action.FORGET, "h:1", 5)));
        byte[] unknownAction = {KryoEntryCodec.MEMBER_CHANGE_ID + 2, 2, 3, 'h', ':', '1', 5};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(unknownAction, 0, unknownAction.length));
    }

    @Test
    void invalidUtf8InAStringIsCorrupt() {
        byte[] body = {KryoEntryCodec.ROLE_ADD_ID + 2, 2, (byte) 0xc3, 0x28};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(body, 0, body.length));
    }

    @Test
    void permissionTypeIsEtcdsNumberAsAPositiveVarint() {
        // 3 was out of range while the type was a one-byte enum; etcd keeps any number
        byte[] three = {KryoEntryCodec.ROLE_GRANT_PERMISSION_ID + 2, 1, 'r', 3, 1, 'k', 0};
        assertEquals(new AuthChange.RoleGrantPermission("r", 3, new byte[] {'k'}, new byte[0]),
                codec.decodeBody(three, 0, three.length));
        // 200 takes two varint bytes
        assertArrayEquals(new byte[] {KryoEntryCodec.ROLE_GRANT_PERMISSION_ID + 2, 1, 'r', (byte) 0xc8, 0x01, 1, 'k', 0},
                codec.encodeBody(new AuthChange.RoleGrantPermission("r", 200, new byte[] {'k'}, null)));
        byte[] truncated = {KryoEntryCodec.ROLE_GRANT_PERMISSION_ID + 2, 1, 'r', (byte) 0xc8};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(truncated, 0, truncated.length));
    }

    @Test
    void outOfRangeAlarmEnumsAndUnknownFlagsAreCorrupt() {
        byte[] alarm = {KryoEntryCodec.ALARM_ID + 2, 2, 5, 1};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(alarm, 0, alarm.length));
        byte[] alarmType = {KryoEntryCodec.ALARM_ID + 2, 0, 5, 2};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(alarmType, 0, alarmType.length));
        byte[] userAdd = {KryoEntryCodec.USER_ADD_ID + 2, 1, 'u', 0, 2};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(userAdd, 0, userAdd.length));
    }

    @Test
    void compactBodyLayoutIsRevisionThenFlags() {
        assertArrayEquals(new byte[] {KryoEntryCodec.COMPACT_ID + 2, 0x05, 0x01},
                codec.encodeBody(new Compact(5, true)));
    }

    @Test
    void decodeBodyHonoursOffsetAndLength() {
        Command command = SampleCommands.named("batch_mixed");
        byte[] body = codec.encodeBody(command);
        byte[] framed = new byte[body.length + 7];
        System.arraycopy(body, 0, framed, 3, body.length);
        assertEquals(command, codec.decodeBody(framed, 3, body.length));
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(framed, 3, body.length + 1));
    }

    @Test
    void unknownFlagBitsAreCorrupt() {
        byte[] body = codec.encodeBody(new Compact(5, true));
        body[2] = 0x03;
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(body, 0, body.length));
    }

    @Test
    void lengthBeyondTheEndIsCorruptWithoutAllocatingIt() {
        // Put tag, then a key length of 2^31 - 1 in five varint bytes.
        byte[] body = {KryoEntryCodec.PUT_ID + 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        assertThrows(CorruptEntryException.class, () -> codec.decodeBody(body, 0, body.length));
    }

    @Test
    void concurrentEncodeAndDecodeReturnEveryInput() throws Exception {
        int threads = 8;
        int iterations = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        Command command = distinctCommand(thread, i);
                        assertEquals(command, codec.decode(codec.encode(command)));
                        byte[] body = codec.encodeBody(command);
                        assertEquals(command, codec.decodeBody(body, 0, body.length));
                    }
                    return iterations;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertEquals(iterations, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Command distinctCommand(int thread, int i) {
        byte[] key = SampleCommands.b("t" + thread + "/k" + i);
        return switch (i % 4) {
            case 0 -> new Put(key, SampleCommands.b("v" + i), thread, i % 3 == 0, false, true);
            case 1 -> new DeleteRange(key, new byte[] {0}, (i & 1) == 0);
            case 2 -> new Txn(List.of(Compare.modRevision(key, Compare.Result.LESS, i)),
                    List.of(Put.of(key, SampleCommands.b("s" + thread))), List.of(DeleteRange.key(key)));
            default -> new LeaseGrant(thread * 1_000_000L + i, i);
        };
    }
}
