package io.metastore.codec;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
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
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Codec {@code json} (id 1): the body is one UTF-8 JSON object written by Gson through explicit
 * streaming {@link TypeAdapter}s, never by reflection, so the output is deterministic: every field
 * is always written, in the order below, with no whitespace.
 *
 * <p>Every object starts with a {@code "type"} discriminator: {@code put}, {@code delete_range},
 * {@code range}, {@code txn}, {@code compact}, {@code lease_grant}, {@code lease_revoke},
 * {@code batch}, the auth store changes {@code auth_enable}, {@code auth_disable},
 * {@code authenticate}, {@code user_add}, {@code user_delete}, {@code user_change_password},
 * {@code user_grant_role}, {@code user_revoke_role}, {@code role_add}, {@code role_delete},
 * {@code role_grant_permission}, {@code role_revoke_permission}, {@code alarm}, and
 * {@code member_change}. The other
 * member names are the record component names, except that a permission's {@code type} is
 * written as {@code permType} (etcd's name) so it cannot clash with the discriminator. Byte
 * arrays are standard base64 strings with padding (so any bytes, including invalid UTF-8,
 * round-trip); strings (user and role names, tokens, password hashes) are JSON strings; longs
 * are JSON numbers; enums are their constant names, except that a permission type etcd gives no
 * name (see {@link AuthChange.PermissionType}) is its number, as etcd's JSON gateway writes it; a
 * compare is an object without a type. For example:
 *
 * <pre>
 * {"type":"put","key":"Zm9v","value":"","lease":0,"prevKv":false,"ignoreValue":false,"ignoreLease":false}
 * {"type":"txn","compare":[{"result":"EQUAL","target":"VERSION","key":"Zm9v","rangeEnd":"","number":0,
 *  "value":""}],"success":[...],"failure":[...]}
 * {"type":"role_grant_permission","name":"r","permType":"READ","key":"Zm9v","rangeEnd":""}
 * {"type":"role_grant_permission","name":"r","permType":7,"key":"Zm9v","rangeEnd":""}
 * </pre>
 *
 * <p>Reading is strict: the type must come first, unknown members, trailing data and invalid
 * UTF-8 are rejected, and a missing member takes its default except a key, which is required.
 * So are the members the records cannot do without: a compare's result and target, a
 * permission's type, an alarm's action and type, a member change's action, and every string
 * except a new user's password hash (which defaults to empty).
 */
public final class GsonEntryCodec implements EntryCodec {

    /** Deeper nesting than this is treated as corruption rather than overflowing the stack. */
    private static final int MAX_DEPTH = 128;

    private final Gson gson = new GsonBuilder()
            .registerTypeAdapter(Command.class, new CommandAdapter())
            .registerTypeAdapter(TxnOp.class, new TxnOpAdapter())
            .disableHtmlEscaping()
            .setStrictness(Strictness.STRICT)
            .create();
    private final TypeAdapter<Command> adapter = gson.getAdapter(Command.class);

    @Override
    public String name() {
        return "json";
    }

    @Override
    public byte id() {
        return EntryHeader.JSON_ID;
    }

    @Override
    public byte[] encode(Command command) {
        StringWriter text = new StringWriter(128);
        try (JsonWriter writer = gson.newJsonWriter(text)) {
            adapter.write(writer, command);
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string failed", e);
        }
        byte[] json = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] entry = new byte[EntryHeader.LENGTH + json.length];
        EntryHeader.write(entry, EntryHeader.JSON_ID);
        System.arraycopy(json, 0, entry, EntryHeader.LENGTH, json.length);
        return entry;
    }

    @Override
    public Command decode(byte[] entry) {
        EntryHeader.check(entry, EntryHeader.JSON_ID);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(entry, EntryHeader.LENGTH, entry.length - EntryHeader.LENGTH))
                    .toString();
            JsonReader reader = gson.newJsonReader(new StringReader(text));
            Command command = adapter.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("trailing data after the command");
            }
            return command;
        } catch (CharacterCodingException e) {
            throw CorruptEntryException.of("json body is not valid UTF-8", entry, e);
        } catch (IOException | RuntimeException e) {
            throw CorruptEntryException.of("malformed json body", entry, e);
        }
    }

    /** Writes and reads a top-level or batched {@link Command}. */
    private static final class CommandAdapter extends TypeAdapter<Command> {
        @Override
        public void write(JsonWriter out, Command command) throws IOException {
            writeNode(out, command);
        }

        @Override
        public Command read(JsonReader in) throws IOException {
            return expect(readNode(in, 0), Command.class);
        }
    }

    /** Writes and reads a {@link TxnOp} of a transaction branch. */
    private static final class TxnOpAdapter extends TypeAdapter<TxnOp> {
        @Override
        public void write(JsonWriter out, TxnOp op) throws IOException {
            writeNode(out, op);
        }

        @Override
        public TxnOp read(JsonReader in) throws IOException {
            return expect(readNode(in, 0), TxnOp.class);
        }
    }

    private static <T> T expect(Object node, Class<T> type) {
        if (!type.isInstance(node)) {
            throw new JsonParseException(node.getClass().getSimpleName() + " is not a " + type.getSimpleName());
        }
        return type.cast(node);
    }

    // ---- writing -------------------------------------------------------------------------

    private static void writeNode(JsonWriter out, Object node) throws IOException {
        out.beginObject();
        if (node instanceof Put p) {
            out.name("type").value("put");
            bytes(out, "key", p.key());
            bytes(out, "value", p.value());
            out.name("lease").value(p.lease());
            out.name("prevKv").value(p.prevKv());
            out.name("ignoreValue").value(p.ignoreValue());
            out.name("ignoreLease").value(p.ignoreLease());
        } else if (node instanceof DeleteRange d) {
            out.name("type").value("delete_range");
            bytes(out, "key", d.key());
            bytes(out, "rangeEnd", d.rangeEnd());
            out.name("prevKv").value(d.prevKv());
        } else if (node instanceof Range r) {
            out.name("type").value("range");
            bytes(out, "key", r.key());
            bytes(out, "rangeEnd", r.rangeEnd());
            out.name("limit").value(r.limit());
            out.name("revision").value(r.revision());
            out.name("sortOrder").value(r.sortOrder().name());
            out.name("sortTarget").value(r.sortTarget().name());
            out.name("serializable").value(r.serializable());
            out.name("keysOnly").value(r.keysOnly());
            out.name("countOnly").value(r.countOnly());
            out.name("minModRevision").value(r.minModRevision());
            out.name("maxModRevision").value(r.maxModRevision());
            out.name("minCreateRevision").value(r.minCreateRevision());
            out.name("maxCreateRevision").value(r.maxCreateRevision());
        } else if (node instanceof Txn t) {
            out.name("type").value("txn");
            out.name("compare").beginArray();
            for (Compare c : t.compare()) {
                writeCompare(out, c);
            }
            out.endArray();
            writeList(out, "success", t.success());
            writeList(out, "failure", t.failure());
        } else if (node instanceof Compact c) {
            out.name("type").value("compact");
            out.name("revision").value(c.revision());
            out.name("physical").value(c.physical());
        } else if (node instanceof LeaseGrant g) {
            out.name("type").value("lease_grant");
            out.name("id").value(g.id());
            out.name("ttlSeconds").value(g.ttlSeconds());
        } else if (node instanceof LeaseRevoke r) {
            out.name("type").value("lease_revoke");
            out.name("id").value(r.id());
        } else if (node instanceof Batch b) {
            out.name("type").value("batch");
            writeList(out, "commands", b.commands());
        } else if (node instanceof AuthChange a) {
            writeAuthChange(out, a);
        } else if (node instanceof AlarmChange a) {
            out.name("type").value("alarm");
            out.name("action").value(a.action().name());
            out.name("memberId").value(a.memberId());
            out.name("alarm").value(a.alarm().name());
        } else if (node instanceof MemberChange m) {
            out.name("type").value("member_change");
            out.name("action").value(m.action().name());
            out.name("peer").value(m.peer());
            out.name("memberId").value(m.memberId());
        } else {
            throw new IllegalArgumentException("not a command: " + node);
        }
        out.endObject();
    }

    private static void writeAuthChange(JsonWriter out, AuthChange change) throws IOException {
        if (change instanceof AuthChange.Enable) {
            out.name("type").value("auth_enable");
        } else if (change instanceof AuthChange.Disable) {
            out.name("type").value("auth_disable");
        } else if (change instanceof AuthChange.Authenticate a) {
            out.name("type").value("authenticate");
            out.name("user").value(a.user());
            out.name("token").value(a.token());
        } else if (change instanceof AuthChange.UserAdd u) {
            out.name("type").value("user_add");
            out.name("name").value(u.name());
            out.name("passwordHash").value(u.passwordHash());
            out.name("noPassword").value(u.noPassword());
        } else if (change instanceof AuthChange.UserDelete u) {
            out.name("type").value("user_delete");
            out.name("name").value(u.name());
        } else if (change instanceof AuthChange.UserChangePassword u) {
            out.name("type").value("user_change_password");
            out.name("name").value(u.name());
            out.name("passwordHash").value(u.passwordHash());
        } else if (change instanceof AuthChange.UserGrantRole u) {
            out.name("type").value("user_grant_role");
            out.name("user").value(u.user());
            out.name("role").value(u.role());
        } else if (change instanceof AuthChange.UserRevokeRole u) {
            out.name("type").value("user_revoke_role");
            out.name("name").value(u.name());
            out.name("role").value(u.role());
        } else if (change instanceof AuthChange.RoleAdd r) {
            out.name("type").value("role_add");
            out.name("name").value(r.name());
        } else if (change instanceof AuthChange.RoleDelete r) {
            out.name("type").value("role_delete");
            out.name("role").value(r.role());
        } else if (change instanceof AuthChange.RoleGrantPermission r) {
            out.name("type").value("role_grant_permission");
            out.name("name").value(r.name());
            AuthChange.PermissionType known = AuthChange.PermissionType.ofNumber(r.permType());
            if (known != null) {
                out.name("permType").value(known.name());
            } else {
                out.name("permType").value(r.permType());
            }
            bytes(out, "key", r.key());
            bytes(out, "rangeEnd", r.rangeEnd());
        } else if (change instanceof AuthChange.RoleRevokePermission r) {
            out.name("type").value("role_revoke_permission");
            out.name("role").value(r.role());
            bytes(out, "key", r.key());
            bytes(out, "rangeEnd", r.rangeEnd());
        } else {
            throw new IllegalArgumentException("unknown auth change: " + change);
        }
    }

    private static void writeCompare(JsonWriter out, Compare c) throws IOException {
        out.beginObject();
        out.name("result").value(c.result().name());
        out.name("target").value(c.target().name());
        bytes(out, "key", c.key());
        bytes(out, "rangeEnd", c.rangeEnd());
        out.name("number").value(c.number());
        bytes(out, "value", c.value());
        out.endObject();
    }

    private static void writeList(JsonWriter out, String name, List<?> nodes) throws IOException {
        out.name(name).beginArray();
        for (Object node : nodes) {
            writeNode(out, node);
        }
        out.endArray();
    }

    private static void bytes(JsonWriter out, String name, byte[] bytes) throws IOException {
        out.name(name).value(Base64.getEncoder().encodeToString(bytes));
    }

    // ---- reading -------------------------------------------------------------------------

    private static Object readNode(JsonReader in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new JsonParseException("nesting deeper than " + MAX_DEPTH);
        }
        in.beginObject();
        if (!in.hasNext() || !"type".equals(in.nextName())) {
            throw new JsonParseException("object does not start with \"type\" at " + in.getPath());
        }
        String type = in.nextString();
        Object node = switch (type) {
            case "put" -> readPut(in);
            case "delete_range" -> readDeleteRange(in);
            case "range" -> readRange(in);
            case "txn" -> readTxn(in, depth);
            case "compact" -> readCompact(in);
            case "lease_grant" -> readLeaseGrant(in);
            case "lease_revoke" -> readLeaseRevoke(in);
            case "batch" -> readBatch(in, depth);
            case "auth_enable" -> readEmpty(in, new AuthChange.Enable());
            case "auth_disable" -> readEmpty(in, new AuthChange.Disable());
            case "authenticate" -> readAuthenticate(in);
            case "user_add" -> readUserAdd(in);
            case "user_delete" -> new AuthChange.UserDelete(readOneString(in, "name"));
            case "user_change_password" -> readUserChangePassword(in);
            case "user_grant_role" -> readUserGrantRole(in);
            case "user_revoke_role" -> readUserRevokeRole(in);
            case "role_add" -> new AuthChange.RoleAdd(readOneString(in, "name"));
            case "role_delete" -> new AuthChange.RoleDelete(readOneString(in, "role"));
            case "role_grant_permission" -> readRoleGrantPermission(in);
            case "role_revoke_permission" -> readRoleRevokePermission(in);
            case "alarm" -> readAlarm(in);
            case "member_change" -> readMemberChange(in);
            default -> throw new JsonParseException("unknown type \"" + type + "\" at " + in.getPath());
        };
        in.endObject();
        return node;
    }

    private static Put readPut(JsonReader in) throws IOException {
        byte[] key = null;
        byte[] value = null;
        long lease = 0;
        boolean prevKv = false;
        boolean ignoreValue = false;
        boolean ignoreLease = false;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "key" -> key = readBytes(in);
                case "value" -> value = readBytes(in);
                case "lease" -> lease = in.nextLong();
                case "prevKv" -> prevKv = in.nextBoolean();
                case "ignoreValue" -> ignoreValue = in.nextBoolean();
                case "ignoreLease" -> ignoreLease = in.nextBoolean();
                default -> throw unknown(in, name);
            }
        }
        return new Put(required(in, key), value, lease, prevKv, ignoreValue, ignoreLease);
    }

    private static DeleteRange readDeleteRange(JsonReader in) throws IOException {
        byte[] key = null;
        byte[] rangeEnd = null;
        boolean prevKv = false;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "key" -> key = readBytes(in);
                case "rangeEnd" -> rangeEnd = readBytes(in);
                case "prevKv" -> prevKv = in.nextBoolean();
                default -> throw unknown(in, name);
            }
        }
        return new DeleteRange(required(in, key), rangeEnd, prevKv);
    }

    private static Range readRange(JsonReader in) throws IOException {
        byte[] key = null;
        byte[] rangeEnd = null;
        long limit = 0;
        long revision = 0;
        Range.SortOrder sortOrder = Range.SortOrder.NONE;
        Range.SortTarget sortTarget = Range.SortTarget.KEY;
        boolean serializable = false;
        boolean keysOnly = false;
        boolean countOnly = false;
        long minMod = 0;
        long maxMod = 0;
        long minCreate = 0;
        long maxCreate = 0;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "key" -> key = readBytes(in);
                case "rangeEnd" -> rangeEnd = readBytes(in);
                case "limit" -> limit = in.nextLong();
                case "revision" -> revision = in.nextLong();
                case "sortOrder" -> sortOrder = Range.SortOrder.valueOf(in.nextString());
                case "sortTarget" -> sortTarget = Range.SortTarget.valueOf(in.nextString());
                case "serializable" -> serializable = in.nextBoolean();
                case "keysOnly" -> keysOnly = in.nextBoolean();
                case "countOnly" -> countOnly = in.nextBoolean();
                case "minModRevision" -> minMod = in.nextLong();
                case "maxModRevision" -> maxMod = in.nextLong();
                case "minCreateRevision" -> minCreate = in.nextLong();
                case "maxCreateRevision" -> maxCreate = in.nextLong();
                default -> throw unknown(in, name);
            }
        }
        return new Range(required(in, key), rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minMod, maxMod, minCreate, maxCreate);
    }

    private static Txn readTxn(JsonReader in, int depth) throws IOException {
        List<Compare> compare = List.of();
        List<TxnOp> success = List.of();
        List<TxnOp> failure = List.of();
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "compare" -> {
                    compare = new ArrayList<>();
                    in.beginArray();
                    while (in.hasNext()) {
                        compare.add(readCompare(in));
                    }
                    in.endArray();
                }
                case "success" -> success = readList(in, depth, TxnOp.class);
                case "failure" -> failure = readList(in, depth, TxnOp.class);
                default -> throw unknown(in, name);
            }
        }
        return new Txn(compare, success, failure);
    }

    private static Compare readCompare(JsonReader in) throws IOException {
        Compare.Result result = null;
        Compare.Target target = null;
        byte[] key = null;
        byte[] rangeEnd = null;
        long number = 0;
        byte[] value = null;
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "result" -> result = Compare.Result.valueOf(in.nextString());
                case "target" -> target = Compare.Target.valueOf(in.nextString());
                case "key" -> key = readBytes(in);
                case "rangeEnd" -> rangeEnd = readBytes(in);
                case "number" -> number = in.nextLong();
                case "value" -> value = readBytes(in);
                default -> throw unknown(in, name);
            }
        }
        in.endObject();
        return new Compare(required(in, result), required(in, target), required(in, key), rangeEnd, number, value);
    }

    private static Compact readCompact(JsonReader in) throws IOException {
        long revision = 0;
        boolean physical = false;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "revision" -> revision = in.nextLong();
                case "physical" -> physical = in.nextBoolean();
                default -> throw unknown(in, name);
            }
        }
        return new Compact(revision, physical);
    }

    private static LeaseGrant readLeaseGrant(JsonReader in) throws IOException {
        long id = 0;
        long ttl = 0;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "id" -> id = in.nextLong();
                case "ttlSeconds" -> ttl = in.nextLong();
                default -> throw unknown(in, name);
            }
        }
        return new LeaseGrant(id, ttl);
    }

    private static LeaseRevoke readLeaseRevoke(JsonReader in) throws IOException {
        long id = 0;
        while (in.hasNext()) {
            String name = in.nextName();
            if (!"id".equals(name)) {
                throw unknown(in, name);
            }
            id = in.nextLong();
        }
        return new LeaseRevoke(id);
    }

    private static Batch readBatch(JsonReader in, int depth) throws IOException {
        List<Command> commands = List.of();
        while (in.hasNext()) {
            String name = in.nextName();
            if (!"commands".equals(name)) {
                throw unknown(in, name);
            }
            commands = readList(in, depth, Command.class);
        }
        return new Batch(commands);
    }

    /** A command without members besides its type. */
    private static <T> T readEmpty(JsonReader in, T node) throws IOException {
        if (in.hasNext()) {
            throw unknown(in, in.nextName());
        }
        return node;
    }

    /** A command whose only member is the required string {@code member}. */
    private static String readOneString(JsonReader in, String member) throws IOException {
        String value = null;
        while (in.hasNext()) {
            String name = in.nextName();
            if (!member.equals(name)) {
                throw unknown(in, name);
            }
            value = readString(in);
        }
        return required(in, value);
    }

    private static AuthChange.Authenticate readAuthenticate(JsonReader in) throws IOException {
        String user = null;
        String token = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "user" -> user = readString(in);
                case "token" -> token = readString(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.Authenticate(required(in, user), required(in, token));
    }

    private static AuthChange.UserAdd readUserAdd(JsonReader in) throws IOException {
        String user = null;
        String passwordHash = "";
        boolean noPassword = false;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "name" -> user = readString(in);
                case "passwordHash" -> passwordHash = readString(in);
                case "noPassword" -> noPassword = in.nextBoolean();
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.UserAdd(required(in, user), passwordHash, noPassword);
    }

    private static AuthChange.UserChangePassword readUserChangePassword(JsonReader in) throws IOException {
        String user = null;
        String passwordHash = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "name" -> user = readString(in);
                case "passwordHash" -> passwordHash = readString(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.UserChangePassword(required(in, user), required(in, passwordHash));
    }

    private static AuthChange.UserGrantRole readUserGrantRole(JsonReader in) throws IOException {
        String user = null;
        String role = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "user" -> user = readString(in);
                case "role" -> role = readString(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.UserGrantRole(required(in, user), required(in, role));
    }

    private static AuthChange.UserRevokeRole readUserRevokeRole(JsonReader in) throws IOException {
        String user = null;
        String role = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "name" -> user = readString(in);
                case "role" -> role = readString(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.UserRevokeRole(required(in, user), required(in, role));
    }

    private static AuthChange.RoleGrantPermission readRoleGrantPermission(JsonReader in) throws IOException {
        String role = null;
        Integer permType = null;
        byte[] key = null;
        byte[] rangeEnd = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "name" -> role = readString(in);
                case "permType" -> permType = readPermType(in);
                case "key" -> key = readBytes(in);
                case "rangeEnd" -> rangeEnd = readBytes(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.RoleGrantPermission(required(in, role), required(in, permType), required(in, key),
                rangeEnd);
    }

    /** A kind's name, or a number (an int32) for the kinds etcd gives no name. */
    private static int readPermType(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NUMBER) {
            return in.nextInt();
        }
        return AuthChange.PermissionType.valueOf(readString(in)).number();
    }

    private static AuthChange.RoleRevokePermission readRoleRevokePermission(JsonReader in) throws IOException {
        String role = null;
        byte[] key = null;
        byte[] rangeEnd = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "role" -> role = readString(in);
                case "key" -> key = readBytes(in);
                case "rangeEnd" -> rangeEnd = readBytes(in);
                default -> throw unknown(in, name);
            }
        }
        return new AuthChange.RoleRevokePermission(required(in, role), required(in, key), rangeEnd);
    }

    private static AlarmChange readAlarm(JsonReader in) throws IOException {
        AlarmChange.Action action = null;
        long memberId = 0;
        AlarmChange.Type alarm = null;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "action" -> action = AlarmChange.Action.valueOf(in.nextString());
                case "memberId" -> memberId = in.nextLong();
                case "alarm" -> alarm = AlarmChange.Type.valueOf(in.nextString());
                default -> throw unknown(in, name);
            }
        }
        return new AlarmChange(required(in, action), memberId, required(in, alarm));
    }

    private static MemberChange readMemberChange(JsonReader in) throws IOException {
        MemberChange.Action action = null;
        String peer = null;
        long memberId = 0;
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "action" -> action = MemberChange.Action.valueOf(in.nextString());
                case "peer" -> peer = readString(in);
                case "memberId" -> memberId = in.nextLong();
                default -> throw unknown(in, name);
            }
        }
        return new MemberChange(required(in, action), required(in, peer), memberId);
    }

    private static <T> List<T> readList(JsonReader in, int depth, Class<T> type) throws IOException {
        List<T> nodes = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            nodes.add(expect(readNode(in, depth + 1), type));
        }
        in.endArray();
        return nodes;
    }

    /** A JSON string only: Gson's {@code nextString} would also take a number. */
    private static String readString(JsonReader in) throws IOException {
        if (in.peek() != JsonToken.STRING) {
            throw new JsonParseException("expected a string but was " + in.peek() + " at " + in.getPath());
        }
        return in.nextString();
    }

    private static byte[] readBytes(JsonReader in) throws IOException {
        return Base64.getDecoder().decode(in.nextString());
    }

    private static <T> T required(JsonReader in, T value) {
        if (value == null) {
            throw new JsonParseException("missing required member at " + in.getPath());
        }
        return value;
    }

    private static JsonParseException unknown(JsonReader in, String name) {
        return new JsonParseException("unknown member \"" + name + "\" at " + in.getPath());
    }
}
