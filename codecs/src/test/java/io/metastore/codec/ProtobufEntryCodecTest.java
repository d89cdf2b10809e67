package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metastore.codec.proto.AlarmRequest;
import io.metastore.codec.proto.MemberChangeRequest;
import io.metastore.codec.proto.AuthRoleAddRequest;
import io.metastore.codec.proto.AuthRoleGrantPermissionRequest;
import io.metastore.codec.proto.Entry;
import io.metastore.codec.proto.LeaseRevokeRequest;
import io.metastore.codec.proto.Permission;
import io.metastore.codec.proto.RangeRequest;
import io.metastore.codec.proto.RequestOp;
import io.metastore.codec.proto.TxnRequest;
import io.metastore.command.AlarmChange;
import io.metastore.command.MemberChange;
import io.metastore.command.AuthChange;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProtobufEntryCodecTest extends EntryCodecContract {

    private final ProtobufEntryCodec codec = new ProtobufEntryCodec();

    @Override
    EntryCodec codec() {
        return codec;
    }

    @Override
    byte expectedId() {
        return 3;
    }

    private static byte[] entry(Entry message) {
        byte[] body = message.toByteArray();
        byte[] entry = Arrays.copyOf(EntryHeader.of(EntryHeader.PROTOBUF_ID), EntryHeader.LENGTH + body.length);
        System.arraycopy(body, 0, entry, EntryHeader.LENGTH, body.length);
        return entry;
    }

    @Test
    void entryWithoutCommandIsCorrupt() {
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(Entry.getDefaultInstance())));
    }

    @Test
    void txnOpWithoutRequestIsCorrupt() {
        Entry message = Entry.newBuilder()
                .setTxn(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance())).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void unknownEnumNumberIsCorrupt() {
        Entry message = Entry.newBuilder().setTxn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestRange(RangeRequest.newBuilder().setSortOrderValue(7)))).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void nestingBeyondTheRecursionLimitIsCorrupt() {
        TxnRequest txn = TxnRequest.getDefaultInstance();
        for (int i = 0; i < 200; i++) {
            txn = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(txn)).build();
        }
        Entry message = Entry.newBuilder().setTxn(txn).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void unknownTopLevelFieldIsCorrupt() {
        byte[] known = entry(Entry.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setId(3)).build());
        byte[] entry = Arrays.copyOf(known, known.length + 2);
        entry[known.length] = (byte) (15 << 3); // field 15, wire type varint
        entry[known.length + 1] = 1;
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry));
    }

    @Test
    void alarmActionsUseEtcdNumbersAndGetIsCorrupt() {
        AlarmRequest activate = ProtobufEntryCodec.toProto(new AlarmChange(AlarmChange.Action.ACTIVATE, 7,
                AlarmChange.Type.NOSPACE)).getAlarm();
        assertEquals(AlarmRequest.AlarmAction.ACTIVATE, activate.getAction());
        assertEquals(AlarmRequest.AlarmType.NOSPACE, activate.getAlarm());
        assertEquals(AlarmRequest.AlarmAction.DEACTIVATE, ProtobufEntryCodec.toProto(new AlarmChange(
                AlarmChange.Action.DEACTIVATE, 7, AlarmChange.Type.NONE)).getAlarm().getAction());
        Entry get = Entry.newBuilder().setAlarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET)
                .setMemberId(7)).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(get)));
        Entry corrupt = Entry.newBuilder().setAlarm(AlarmRequest.newBuilder()
                .setAction(AlarmRequest.AlarmAction.ACTIVATE).setAlarmValue(2)).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(corrupt)));
    }

    @Test
    void memberChangeActionsAreNumberedFromOneAndZeroIsCorrupt() {
        MemberChangeRequest assign = ProtobufEntryCodec.toProto(new MemberChange(MemberChange.Action.ASSIGN, "h:1",
                -1)).getMemberChange();
        assertEquals(MemberChangeRequest.Action.ASSIGN, assign.getAction());
        assertEquals(-1, assign.getMemberId());
        assertEquals(MemberChangeRequest.Action.FORGET, ProtobufEntryCodec.toProto(new MemberChange(
                MemberChange.Action.FORGET, "h:1", 3)).getMemberChange().getAction());
        Entry unset = Entry.newBuilder().setMemberChange(MemberChangeRequest.newBuilder().setPeer("h:1")
                .setMemberId(3)).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(unset)));
        Entry unknown = Entry.newBuilder().setMemberChange(MemberChangeRequest.newBuilder().setActionValue(3)
                .setPeer("h:1").setMemberId(3)).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(unknown)));
    }

    @Test
    void permissionUsesEtcdTypeNumbers() {
        Permission perm = ProtobufEntryCodec.toProto(new AuthChange.RoleGrantPermission("r",
                AuthChange.PermissionType.READWRITE, new byte[] {1}, null)).getRoleGrantPermission().getPerm();
        assertEquals(Permission.Type.READWRITE, perm.getPermType());
    }

    @Test
    void permissionGrantWithoutPermissionIsCorrupt() {
        Entry message = Entry.newBuilder()
                .setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("r")).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void permissionTypeEtcdGivesNoNameKeepsItsNumber() {
        Entry message = Entry.newBuilder().setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                .setName("r").setPerm(Permission.newBuilder().setPermTypeValue(3))).build();
        assertEquals(new AuthChange.RoleGrantPermission("r", 3, new byte[0], null), codec.decode(entry(message)));
    }

    @Test
    void invalidUtf8InAStringIsCorrupt() {
        byte[] valid = entry(Entry.newBuilder().setRoleAdd(AuthRoleAddRequest.newBuilder().setName("ab")).build());
        byte[] entry = valid.clone();
        entry[entry.length - 2] = (byte) 0xc3;
        entry[entry.length - 1] = 0x28;
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry));
    }
}
