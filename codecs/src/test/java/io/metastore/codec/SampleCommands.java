package io.metastore.codec;

import io.metastore.command.AlarmChange;
import io.metastore.command.AuthChange;
import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.command.MemberChange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Named commands of every shape, shared by the codec tests. */
final class SampleCommands {

    /** The commands with golden files, per codec. */
    static final List<String> GOLDEN = List.of("put_binary_key", "nested_txn_3_deep", "batch_mixed",
            "compact_physical", "lease_grant", "range_in_txn", "user_add_non_ascii", "role_grant_permission_binary",
            "alarm_activate_nospace", "member_change_assign");

    private static final Map<String, Command> ALL = build();

    private SampleCommands() {
    }

    /** Every sample, by name, in a stable order. */
    static Map<String, Command> all() {
        return ALL;
    }

    static Command named(String name) {
        Command command = ALL.get(name);
        if (command == null) {
            throw new IllegalArgumentException("no sample " + name);
        }
        return command;
    }

    static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** A range with all 13 fields set to non-default values. */
    static Range fullRange() {
        return new Range(bytes(0x00, 0x61, 0xff), bytes(0x01, 0xc3, 0x28), 17, 42, Range.SortOrder.DESCEND,
                Range.SortTarget.VALUE, true, true, true, 3, 300, 5, 500);
    }

    static Txn txn(List<Compare> compare, List<TxnOp> success, List<TxnOp> failure) {
        return new Txn(compare, success, failure);
    }

    private static Map<String, Command> build() {
        Map<String, Command> all = new LinkedHashMap<>();
        all.put("put_plain", Put.of(b("foo"), b("bar")));
        all.put("put_all_flags", new Put(b("k"), b("v"), 7_000_000_000L, true, true, true));
        all.put("put_empty_value", Put.of(b("empty"), new byte[0]));
        byte[] big = new byte[1 << 20];
        new Random(1).nextBytes(big);
        all.put("put_1mib_value", new Put(b("big"), big, 0, false, false, false));
        all.put("put_binary_key", new Put(bytes(0x00, 0xff, 0xc3, 0x28, 0xff, 0xfe, 0x00),
                bytes(0xff, 0xfe, 0x00, 0xc3, 0x28), 9, true, false, false));
        all.put("delete_single_key", DeleteRange.key(b("gone")));
        all.put("delete_range_from_key", new DeleteRange(b("a"), bytes(0x00), true));
        all.put("delete_range_binary", new DeleteRange(bytes(0xff, 0xfe), bytes(0xff, 0xff), false));

        List<Compare> everyCompare = new ArrayList<>();
        for (Compare.Target target : Compare.Target.values()) {
            for (Compare.Result result : Compare.Result.values()) {
                byte[] key = b(target + "/" + result);
                long number = target.ordinal() * 10L + result.ordinal() + 1;
                byte[] value = target == Compare.Target.VALUE ? bytes(0xc3, 0x28, result.ordinal()) : new byte[0];
                byte[] rangeEnd = result == Compare.Result.NOT_EQUAL ? bytes(0x00) : new byte[0];
                everyCompare.add(new Compare(result, target, key, rangeEnd,
                        target == Compare.Target.VALUE ? 0 : number, value));
            }
        }
        all.put("txn_every_compare", txn(everyCompare, List.of(Put.of(b("ok"), b("1"))),
                List.of(DeleteRange.key(b("ok")))));
        all.put("range_in_txn", txn(List.of(Compare.version(b("r"), Compare.Result.GREATER, 0)),
                List.of(fullRange(), Range.of(b("a"), b("b"))), List.of(fullRange())));

        Txn level3 = txn(List.of(Compare.value(b("l3"), Compare.Result.EQUAL, bytes(0xff, 0x00))),
                List.of(Put.of(b("l3s"), b("x"))), List.of(new DeleteRange(b("l3f"), bytes(0x00), true)));
        Txn level2 = txn(List.of(Compare.modRevision(b("l2"), Compare.Result.LESS, 9)),
                List.of(level3, Range.of(b("l2"), new byte[0])), List.of(level3));
        Txn level1 = txn(List.of(Compare.lease(b("l1"), Compare.Result.NOT_EQUAL, 5)),
                List.of(level2), List.of(Put.of(b("l1f"), b("y")), level2));
        all.put("nested_txn_3_deep", level1);
        all.put("empty_txn", txn(List.of(), List.of(), List.of()));

        all.put("compact_physical", new Compact(123_456, true));
        all.put("compact_logical", new Compact(7, false));
        all.put("lease_grant", new LeaseGrant(0x7fff_0000_1234L, 60));
        all.put("lease_revoke", new LeaseRevoke(0x7fff_0000_1234L));
        all.put("extreme_numbers", new Batch(List.of(new LeaseGrant(Long.MIN_VALUE, -1),
                new LeaseGrant(Long.MAX_VALUE, Long.MIN_VALUE), new Compact(-1, false),
                new Put(b("n"), b(""), -42, false, true, false))));
        all.put("batch_mixed", new Batch(List.of(Put.of(b("b1"), b("v1")), DeleteRange.key(b("b2")),
                new Compact(10, false), new LeaseGrant(77, 30), new LeaseRevoke(77),
                txn(List.of(Compare.createRevision(b("b3"), Compare.Result.EQUAL, 0)),
                        List.of(Put.of(b("b3"), bytes(0x00))), List.of()))));
        all.put("empty_batch", new Batch(List.of()));

        all.put("auth_enable", new AuthChange.Enable());
        all.put("auth_disable", new AuthChange.Disable());
        all.put("authenticate", new AuthChange.Authenticate("root", "XkTbPqvAzwLmNoRs.42"));
        // Latin-1, CJK and a supplementary-plane character (a surrogate pair in Java)
        all.put("user_add_non_ascii", new AuthChange.UserAdd("Zoë-用户-\uD83D\uDE00",
                "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false));
        all.put("user_add_no_password", new AuthChange.UserAdd("service", "", true));
        all.put("user_delete", new AuthChange.UserDelete("alice"));
        all.put("user_change_password", new AuthChange.UserChangePassword("alice",
                "$2a$10$abcdefghijklmnopqrstuu5iF1Z5v3Z7XGgqRh2dXxPB0UX0Iv1ne"));
        all.put("user_grant_role", new AuthChange.UserGrantRole("alice", "reader"));
        all.put("user_revoke_role", new AuthChange.UserRevokeRole("alice", "writer"));
        all.put("role_add", new AuthChange.RoleAdd("rôle"));
        all.put("role_delete", new AuthChange.RoleDelete("reader"));
        all.put("role_grant_permission_binary", new AuthChange.RoleGrantPermission("admin",
                AuthChange.PermissionType.READWRITE, bytes(0x00, 0xff, 0xc3, 0x28, 0xfe), bytes(0x00)));
        all.put("role_grant_permission_single_key", new AuthChange.RoleGrantPermission("reader",
                AuthChange.PermissionType.READ, b("/config"), new byte[0]));
        all.put("role_grant_permission_prefix", new AuthChange.RoleGrantPermission("writer",
                AuthChange.PermissionType.WRITE, b("/app/"), b("/app0")));
        // a type etcd gives no name: kept as granted (and allows nothing), as etcd 3.4.23 keeps it
        all.put("role_grant_permission_unnamed_type", new AuthChange.RoleGrantPermission("odd", 7,
                b("/odd/"), b("/odd0")));
        all.put("role_grant_permission_negative_type", new AuthChange.RoleGrantPermission("odd", -1,
                b("/neg"), new byte[0]));
        all.put("role_revoke_permission", new AuthChange.RoleRevokePermission("admin",
                bytes(0x00, 0xff, 0xc3, 0x28, 0xfe), bytes(0x00)));
        // a member id with the top bit set, as etcd's random uint64 ids often have
        all.put("alarm_activate_nospace", new AlarmChange(AlarmChange.Action.ACTIVATE, 0x8e4f_21a0_5bc3_7d19L,
                AlarmChange.Type.NOSPACE));
        all.put("alarm_deactivate", new AlarmChange(AlarmChange.Action.DEACTIVATE, 42, AlarmChange.Type.NONE));
        // a random member id (top bit set) for a peer given by host name
        all.put("member_change_assign", new MemberChange(MemberChange.Action.ASSIGN, "node-ü.example:2380",
                0xc1d2_e3f4_0516_2738L));
        all.put("member_change_forget", new MemberChange(MemberChange.Action.FORGET, "127.0.0.1:2383", 7));
        return all;
    }
}
