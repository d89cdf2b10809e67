package io.metastore.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec {@code kryo} (id 2): a compact gob-style binary body written by Kryo 5 with hand-written
 * serializers, so the layout below is the format and does not depend on Kryo's reflection.
 *
 * <p>Every class is registered with a fixed id and registration is required, so a body never
 * carries a class name. A tagged value starts with the varint {@code id + 2} (Kryo's class-id
 * encoding; 0 and 1 mean null and class-by-name, both rejected when reading). Ids are never
 * reused; a retired class keeps its id reserved.
 *
 * <pre>
 *  id  class         body, fields in this order
 *  --  -----------   -------------------------------------------------------------------
 *   0-8              Kryo's built-ins (int, String, float, boolean, byte, char, short, long,
 *                    double): never written, rejected on read
 *   9-15             unused
 *  16  Put           key, value, lease, flags(1 prevKv | 2 ignoreValue | 4 ignoreLease)
 *  17  DeleteRange   key, rangeEnd, flags(1 prevKv)
 *  18  Txn           n, n x Compare (untagged), n, n x tagged TxnOp (success),
 *                    n, n x tagged TxnOp (failure)
 *  19  Compact       revision, flags(1 physical)
 *  20  LeaseGrant    id, ttlSeconds
 *  21  LeaseRevoke   id
 *  22  Batch         n, n x tagged Command
 *  23  Range         key, rangeEnd, limit, revision, sortOrder, sortTarget,
 *                    flags(1 serializable | 2 keysOnly | 4 countOnly), minModRevision,
 *                    maxModRevision, minCreateRevision, maxCreateRevision
 *  24  Compare       result, target, key, rangeEnd, number, value
 *  25  AuthChange.Enable                (empty)
 *  26  AuthChange.Disable               (empty)
 *  27  AuthChange.Authenticate          user, token
 *  28  AuthChange.UserAdd               name, passwordHash, flags(1 noPassword)
 *  29  AuthChange.UserDelete            name
 *  30  AuthChange.UserChangePassword    name, passwordHash
 *  31  AuthChange.UserGrantRole         user, role
 *  32  AuthChange.UserRevokeRole        name, role
 *  33  AuthChange.RoleAdd               name
 *  34  AuthChange.RoleDelete            role
 *  35  AuthChange.RoleGrantPermission   name, permType, key, rangeEnd
 *  36  AuthChange.RoleRevokePermission  role, key, rangeEnd
 *  37  AlarmChange                      action, memberId, alarm
 *  38  MemberChange                     action, peer, memberId
 * </pre>
 *
 * <p>Byte arrays are a positive varint length then the raw bytes; strings are the same with their
 * UTF-8 encoding, and invalid UTF-8 is rejected; {@code n} is a positive varint count; longs are
 * Kryo positive-optimised varlongs; enums and flags are one byte (an enum as its ordinal, which
 * for every enum but {@code AlarmChange.Action} is its etcd wire number; an action is 0 ACTIVATE,
 * 1 DEACTIVATE; a member change's action is 0 ASSIGN, 1 FORGET). Unknown flag bits and out-of-range enum numbers are rejected.
 * A grant's {@code permType} is etcd's number, any int32, as a Kryo positive-optimised varint: one
 * byte equal to the ordinal for READ, WRITE and READWRITE, so it reads the entries written when
 * it was a one-byte enum.
 *
 * <p>Nesting deeper than {@value #MAX_DEPTH} Kryo objects (about 120 levels of transactions) is
 * rejected when reading, and fails when writing, instead of overflowing the stack.
 *
 * <p>The body alone ({@link #encodeBody}) is also the legacy headerless entry format. Kryo is not
 * thread-safe, so instances are pooled; {@link Output} and {@link Input} are created per call.
 */
public final class KryoEntryCodec implements EntryCodec {

    /** Registration ids: part of the format, never change or reuse them. */
    static final int PUT_ID = 16;
    static final int DELETE_RANGE_ID = 17;
    static final int TXN_ID = 18;
    static final int COMPACT_ID = 19;
    static final int LEASE_GRANT_ID = 20;
    static final int LEASE_REVOKE_ID = 21;
    static final int BATCH_ID = 22;
    static final int RANGE_ID = 23;
    static final int COMPARE_ID = 24;
    static final int AUTH_ENABLE_ID = 25;
    static final int AUTH_DISABLE_ID = 26;
    static final int AUTHENTICATE_ID = 27;
    static final int USER_ADD_ID = 28;
    static final int USER_DELETE_ID = 29;
    static final int USER_CHANGE_PASSWORD_ID = 30;
    static final int USER_GRANT_ROLE_ID = 31;
    static final int USER_REVOKE_ROLE_ID = 32;
    static final int ROLE_ADD_ID = 33;
    static final int ROLE_DELETE_ID = 34;
    static final int ROLE_GRANT_PERMISSION_ID = 35;
    static final int ROLE_REVOKE_PERMISSION_ID = 36;
    static final int ALARM_ID = 37;
    static final int MEMBER_CHANGE_ID = 38;

    /** Deeper nesting than this is treated as corruption rather than overflowing the stack. */
    private static final int MAX_DEPTH = 128;
    private static final int INITIAL_BUFFER = 256;

    private final Pool<Kryo> pool = new Pool<>(true, false, 64) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    @Override
    public String name() {
        return "kryo";
    }

    @Override
    public byte id() {
        return EntryHeader.KRYO_ID;
    }

    @Override
    public byte[] encode(Command command) {
        return write(command, true);
    }

    /** The body alone, without header: the legacy headerless entry format. */
    public byte[] encodeBody(Command command) {
        return write(command, false);
    }

    @Override
    public Command decode(byte[] entry) {
        EntryHeader.check(entry, EntryHeader.KRYO_ID);
        return decodeBody(entry, EntryHeader.LENGTH, entry.length - EntryHeader.LENGTH);
    }

    /**
     * Decodes a body occupying exactly {@code bytes[offset, offset + length)}.
     *
     * @throws CorruptEntryException if the body is malformed or does not end exactly at
     *         {@code offset + length}
     */
    public Command decodeBody(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            throw CorruptEntryException.of("empty kryo body", bytes, null);
        }
        Kryo kryo = pool.obtain();
        boolean healthy = false;
        try {
            Input input = new Input(bytes, offset, length);
            Command command = readTagged(kryo, input, Command.class);
            int end = offset + length;
            if (input.position() != end) {
                healthy = true;
                throw CorruptEntryException.of("kryo body has " + (end - input.position())
                        + " trailing bytes after the command", bytes, null);
            }
            healthy = true;
            return command;
        } catch (CorruptEntryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw CorruptEntryException.of("malformed kryo body", bytes, e);
        } finally {
            if (healthy) {
                pool.free(kryo);
            }
        }
    }

    private byte[] write(Command command, boolean header) {
        Kryo kryo = pool.obtain();
        boolean healthy = false;
        try {
            Output output = new Output(INITIAL_BUFFER, -1);
            if (header) {
                output.writeBytes(EntryHeader.of(EntryHeader.KRYO_ID));
            }
            kryo.writeClassAndObject(output, command);
            healthy = true;
            return output.toBytes();
        } finally {
            if (healthy) {
                pool.free(kryo);
            }
        }
    }

    private static Kryo newKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        kryo.register(Put.class, new PutSerializer(), PUT_ID);
        kryo.register(DeleteRange.class, new DeleteRangeSerializer(), DELETE_RANGE_ID);
        kryo.register(Txn.class, new TxnSerializer(), TXN_ID);
        kryo.register(Compact.class, new CompactSerializer(), COMPACT_ID);
        kryo.register(LeaseGrant.class, new LeaseGrantSerializer(), LEASE_GRANT_ID);
        kryo.register(LeaseRevoke.class, new LeaseRevokeSerializer(), LEASE_REVOKE_ID);
        kryo.register(Batch.class, new BatchSerializer(), BATCH_ID);
        kryo.register(Range.class, new RangeSerializer(), RANGE_ID);
        kryo.register(Compare.class, new CompareSerializer(), COMPARE_ID);
        kryo.register(AuthChange.Enable.class, new AuthEnableSerializer(), AUTH_ENABLE_ID);
        kryo.register(AuthChange.Disable.class, new AuthDisableSerializer(), AUTH_DISABLE_ID);
        kryo.register(AuthChange.Authenticate.class, new AuthenticateSerializer(), AUTHENTICATE_ID);
        kryo.register(AuthChange.UserAdd.class, new UserAddSerializer(), USER_ADD_ID);
        kryo.register(AuthChange.UserDelete.class, new UserDeleteSerializer(), USER_DELETE_ID);
        kryo.register(AuthChange.UserChangePassword.class, new UserChangePasswordSerializer(),
                USER_CHANGE_PASSWORD_ID);
        kryo.register(AuthChange.UserGrantRole.class, new UserGrantRoleSerializer(), USER_GRANT_ROLE_ID);
        kryo.register(AuthChange.UserRevokeRole.class, new UserRevokeRoleSerializer(), USER_REVOKE_ROLE_ID);
        kryo.register(AuthChange.RoleAdd.class, new RoleAddSerializer(), ROLE_ADD_ID);
        kryo.register(AuthChange.RoleDelete.class, new RoleDeleteSerializer(), ROLE_DELETE_ID);
        kryo.register(AuthChange.RoleGrantPermission.class, new RoleGrantPermissionSerializer(),
                ROLE_GRANT_PERMISSION_ID);
        kryo.register(AuthChange.RoleRevokePermission.class, new RoleRevokePermissionSerializer(),
                ROLE_REVOKE_PERMISSION_ID);
        kryo.register(AlarmChange.class, new AlarmSerializer(), ALARM_ID);
        kryo.register(MemberChange.class, new MemberChangeSerializer(), MEMBER_CHANGE_ID);
        return kryo;
    }

    /**
     * Reads a value written by {@link Kryo#writeClassAndObject}, accepting only a registered class
     * assignable to {@code expected}: never null, never a class named in the data.
     */
    private static <T> T readTagged(Kryo kryo, Input input, Class<T> expected) {
        int tag = input.readVarInt(true);
        Registration registration = tag < 2 ? null : kryo.getClassResolver().getRegistration(tag - 2);
        if (registration == null || !expected.isAssignableFrom(registration.getType())) {
            throw new KryoException("class tag " + tag + " is not a registered " + expected.getSimpleName());
        }
        Class<?> type = registration.getType();
        return expected.cast(kryo.readObject(input, type));
    }

    private static void writeBytes(Output output, byte[] bytes) {
        output.writeVarInt(bytes.length, true);
        output.writeBytes(bytes);
    }

    private static byte[] readBytes(Input input) {
        int length = readCount(input);
        return input.readBytes(length);
    }

    private static void writeString(Output output, String text) {
        writeBytes(output, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(Input input) {
        byte[] utf8 = readBytes(input);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new KryoException("string is not valid UTF-8", e);
        }
    }

    /** A length or element count; each unit takes at least a byte, so it cannot exceed what is left. */
    private static int readCount(Input input) {
        int count = input.readVarInt(true);
        if (count < 0 || count > input.limit() - input.position()) {
            throw new KryoException("count " + count + " exceeds the " + (input.limit() - input.position())
                    + " bytes left");
        }
        return count;
    }

    private static void writeLong(Output output, long value) {
        output.writeVarLong(value, true);
    }

    private static long readLong(Input input) {
        return input.readVarLong(true);
    }

    private static int flags(boolean... bits) {
        int flags = 0;
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                flags |= 1 << i;
            }
        }
        return flags;
    }

    private static int readFlags(Input input, int bitCount) {
        int flags = input.readByte() & 0xff;
        if ((flags >>> bitCount) != 0) {
            throw new KryoException("unknown flag bits in 0x" + Integer.toHexString(flags));
        }
        return flags;
    }

    private static <E extends Enum<E>> E readEnum(Input input, E[] values) {
        int number = input.readByte() & 0xff;
        if (number >= values.length) {
            throw new KryoException("enum number " + number + " out of range for "
                    + values.getClass().getComponentType().getSimpleName());
        }
        return values[number];
    }

    private static void writeOps(Kryo kryo, Output output, List<TxnOp> ops) {
        output.writeVarInt(ops.size(), true);
        for (TxnOp op : ops) {
            kryo.writeClassAndObject(output, op);
        }
    }

    private static List<TxnOp> readOps(Kryo kryo, Input input) {
        int count = readCount(input);
        List<TxnOp> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ops.add(readTagged(kryo, input, TxnOp.class));
        }
        return ops;
    }

    private static final class PutSerializer extends Serializer<Put> {
        @Override
        public void write(Kryo kryo, Output output, Put put) {
            writeBytes(output, put.key());
            writeBytes(output, put.value());
            writeLong(output, put.lease());
            output.writeByte(flags(put.prevKv(), put.ignoreValue(), put.ignoreLease()));
        }

        @Override
        public Put read(Kryo kryo, Input input, Class<? extends Put> type) {
            byte[] key = readBytes(input);
            byte[] value = readBytes(input);
            long lease = readLong(input);
            int flags = readFlags(input, 3);
            return new Put(key, value, lease, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
        }
    }

    private static final class DeleteRangeSerializer extends Serializer<DeleteRange> {
        @Override
        public void write(Kryo kryo, Output output, DeleteRange delete) {
            writeBytes(output, delete.key());
            writeBytes(output, delete.rangeEnd());
            output.writeByte(flags(delete.prevKv()));
        }

        @Override
        public DeleteRange read(Kryo kryo, Input input, Class<? extends DeleteRange> type) {
            byte[] key = readBytes(input);
            byte[] rangeEnd = readBytes(input);
            int flags = readFlags(input, 1);
            return new DeleteRange(key, rangeEnd, (flags & 1) != 0);
        }
    }

    private static final class RangeSerializer extends Serializer<Range> {
        @Override
        public void write(Kryo kryo, Output output, Range range) {
            writeBytes(output, range.key());
            writeBytes(output, range.rangeEnd());
            writeLong(output, range.limit());
            writeLong(output, range.revision());
            output.writeByte(range.sortOrder().ordinal());
            output.writeByte(range.sortTarget().ordinal());
            output.writeByte(flags(range.serializable(), range.keysOnly(), range.countOnly()));
            writeLong(output, range.minModRevision());
            writeLong(output, range.maxModRevision());
            writeLong(output, range.minCreateRevision());
            writeLong(output, range.maxCreateRevision());
        }

        @Override
        public Range read(Kryo kryo, Input input, Class<? extends Range> type) {
            byte[] key = readBytes(input);
            byte[] rangeEnd = readBytes(input);
            long limit = readLong(input);
            long revision = readLong(input);
            Range.SortOrder sortOrder = readEnum(input, Range.SortOrder.values());
            Range.SortTarget sortTarget = readEnum(input, Range.SortTarget.values());
            int flags = readFlags(input, 3);
            long minMod = readLong(input);
            long maxMod = readLong(input);
            long minCreate = readLong(input);
            long maxCreate = readLong(input);
            return new Range(key, rangeEnd, limit, revision, sortOrder, sortTarget, (flags & 1) != 0,
                    (flags & 2) != 0, (flags & 4) != 0, minMod, maxMod, minCreate, maxCreate);
        }
    }

    private static final class CompareSerializer extends Serializer<Compare> {
        @Override
        public void write(Kryo kryo, Output output, Compare compare) {
            output.writeByte(compare.result().ordinal());
            output.writeByte(compare.target().ordinal());
            writeBytes(output, compare.key());
            writeBytes(output, compare.rangeEnd());
            writeLong(output, compare.number());
            writeBytes(output, compare.value());
        }

        @Override
        public Compare read(Kryo kryo, Input input, Class<? extends Compare> type) {
            Compare.Result result = readEnum(input, Compare.Result.values());
            Compare.Target target = readEnum(input, Compare.Target.values());
            byte[] key = readBytes(input);
            byte[] rangeEnd = readBytes(input);
            long number = readLong(input);
            byte[] value = readBytes(input);
            return new Compare(result, target, key, rangeEnd, number, value);
        }
    }

    private static final class TxnSerializer extends Serializer<Txn> {
        @Override
        public void write(Kryo kryo, Output output, Txn txn) {
            output.writeVarInt(txn.compare().size(), true);
            for (Compare compare : txn.compare()) {
                kryo.writeObject(output, compare);
            }
            writeOps(kryo, output, txn.success());
            writeOps(kryo, output, txn.failure());
        }

        @Override
        public Txn read(Kryo kryo, Input input, Class<? extends Txn> type) {
            int count = readCount(input);
            List<Compare> compares = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                compares.add(kryo.readObject(input, Compare.class));
            }
            List<TxnOp> success = readOps(kryo, input);
            List<TxnOp> failure = readOps(kryo, input);
            return new Txn(compares, success, failure);
        }
    }

    private static final class CompactSerializer extends Serializer<Compact> {
        @Override
        public void write(Kryo kryo, Output output, Compact compact) {
            writeLong(output, compact.revision());
            output.writeByte(flags(compact.physical()));
        }

        @Override
        public Compact read(Kryo kryo, Input input, Class<? extends Compact> type) {
            long revision = readLong(input);
            return new Compact(revision, (readFlags(input, 1) & 1) != 0);
        }
    }

    private static final class LeaseGrantSerializer extends Serializer<LeaseGrant> {
        @Override
        public void write(Kryo kryo, Output output, LeaseGrant grant) {
            writeLong(output, grant.id());
            writeLong(output, grant.ttlSeconds());
        }

        @Override
        public LeaseGrant read(Kryo kryo, Input input, Class<? extends LeaseGrant> type) {
            long id = readLong(input);
            return new LeaseGrant(id, readLong(input));
        }
    }

    private static final class LeaseRevokeSerializer extends Serializer<LeaseRevoke> {
        @Override
        public void write(Kryo kryo, Output output, LeaseRevoke revoke) {
            writeLong(output, revoke.id());
        }

        @Override
        public LeaseRevoke read(Kryo kryo, Input input, Class<? extends LeaseRevoke> type) {
            return new LeaseRevoke(readLong(input));
        }
    }

    private static final class BatchSerializer extends Serializer<Batch> {
        @Override
        public void write(Kryo kryo, Output output, Batch batch) {
            output.writeVarInt(batch.commands().size(), true);
            for (Command command : batch.commands()) {
                kryo.writeClassAndObject(output, command);
            }
        }

        @Override
        public Batch read(Kryo kryo, Input input, Class<? extends Batch> type) {
            int count = readCount(input);
            List<Command> commands = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                commands.add(readTagged(kryo, input, Command.class));
            }
            return new Batch(commands);
        }
    }

    private static final class AuthEnableSerializer extends Serializer<AuthChange.Enable> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.Enable enable) {
        }

        @Override
        public AuthChange.Enable read(Kryo kryo, Input input, Class<? extends AuthChange.Enable> type) {
            return new AuthChange.Enable();
        }
    }

    private static final class AuthDisableSerializer extends Serializer<AuthChange.Disable> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.Disable disable) {
        }

        @Override
        public AuthChange.Disable read(Kryo kryo, Input input, Class<? extends AuthChange.Disable> type) {
            return new AuthChange.Disable();
        }
    }

    private static final class AuthenticateSerializer extends Serializer<AuthChange.Authenticate> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.Authenticate authenticate) {
            writeString(output, authenticate.user());
            writeString(output, authenticate.token());
        }

        @Override
        public AuthChange.Authenticate read(Kryo kryo, Input input, Class<? extends AuthChange.Authenticate> type) {
            String user = readString(input);
            return new AuthChange.Authenticate(user, readString(input));
        }
    }

    private static final class UserAddSerializer extends Serializer<AuthChange.UserAdd> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.UserAdd add) {
            writeString(output, add.name());
            writeString(output, add.passwordHash());
            output.writeByte(flags(add.noPassword()));
        }

        @Override
        public AuthChange.UserAdd read(Kryo kryo, Input input, Class<? extends AuthChange.UserAdd> type) {
            String name = readString(input);
            String passwordHash = readString(input);
            return new AuthChange.UserAdd(name, passwordHash, (readFlags(input, 1) & 1) != 0);
        }
    }

    private static final class UserDeleteSerializer extends Serializer<AuthChange.UserDelete> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.UserDelete delete) {
            writeString(output, delete.name());
        }

        @Override
        public AuthChange.UserDelete read(Kryo kryo, Input input, Class<? extends AuthChange.UserDelete> type) {
            return new AuthChange.UserDelete(readString(input));
        }
    }

    private static final class UserChangePasswordSerializer extends Serializer<AuthChange.UserChangePassword> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.UserChangePassword change) {
            writeString(output, change.name());
            writeString(output, change.passwordHash());
        }

        @Override
        public AuthChange.UserChangePassword read(Kryo kryo, Input input,
                Class<? extends AuthChange.UserChangePassword> type) {
            String name = readString(input);
            return new AuthChange.UserChangePassword(name, readString(input));
        }
    }

    private static final class UserGrantRoleSerializer extends Serializer<AuthChange.UserGrantRole> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.UserGrantRole grant) {
            writeString(output, grant.user());
            writeString(output, grant.role());
        }

        @Override
        public AuthChange.UserGrantRole read(Kryo kryo, Input input, Class<? extends AuthChange.UserGrantRole> type) {
            String user = readString(input);
            return new AuthChange.UserGrantRole(user, readString(input));
        }
    }

    private static final class UserRevokeRoleSerializer extends Serializer<AuthChange.UserRevokeRole> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.UserRevokeRole revoke) {
            writeString(output, revoke.name());
            writeString(output, revoke.role());
        }

        @Override
        public AuthChange.UserRevokeRole read(Kryo kryo, Input input,
                Class<? extends AuthChange.UserRevokeRole> type) {
            String name = readString(input);
            return new AuthChange.UserRevokeRole(name, readString(input));
        }
    }

    private static final class RoleAddSerializer extends Serializer<AuthChange.RoleAdd> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.RoleAdd add) {
            writeString(output, add.name());
        }

        @Override
        public AuthChange.RoleAdd read(Kryo kryo, Input input, Class<? extends AuthChange.RoleAdd> type) {
            return new AuthChange.RoleAdd(readString(input));
        }
    }

    private static final class RoleDeleteSerializer extends Serializer<AuthChange.RoleDelete> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.RoleDelete delete) {
            writeString(output, delete.role());
        }

        @Override
        public AuthChange.RoleDelete read(Kryo kryo, Input input, Class<? extends AuthChange.RoleDelete> type) {
            return new AuthChange.RoleDelete(readString(input));
        }
    }

    private static final class RoleGrantPermissionSerializer extends Serializer<AuthChange.RoleGrantPermission> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.RoleGrantPermission grant) {
            writeString(output, grant.name());
            output.writeVarInt(grant.permType(), true);
            writeBytes(output, grant.key());
            writeBytes(output, grant.rangeEnd());
        }

        @Override
        public AuthChange.RoleGrantPermission read(Kryo kryo, Input input,
                Class<? extends AuthChange.RoleGrantPermission> type) {
            String name = readString(input);
            int permType = input.readVarInt(true);
            byte[] key = readBytes(input);
            byte[] rangeEnd = readBytes(input);
            return new AuthChange.RoleGrantPermission(name, permType, key, rangeEnd);
        }
    }

    private static final class RoleRevokePermissionSerializer extends Serializer<AuthChange.RoleRevokePermission> {
        @Override
        public void write(Kryo kryo, Output output, AuthChange.RoleRevokePermission revoke) {
            writeString(output, revoke.role());
            writeBytes(output, revoke.key());
            writeBytes(output, revoke.rangeEnd());
        }

        @Override
        public AuthChange.RoleRevokePermission read(Kryo kryo, Input input,
                Class<? extends AuthChange.RoleRevokePermission> type) {
            String role = readString(input);
            byte[] key = readBytes(input);
            byte[] rangeEnd = readBytes(input);
            return new AuthChange.RoleRevokePermission(role, key, rangeEnd);
        }
    }

    private static final class AlarmSerializer extends Serializer<AlarmChange> {
        @Override
        public void write(Kryo kryo, Output output, AlarmChange alarm) {
            output.writeByte(alarm.action().ordinal());
            writeLong(output, alarm.memberId());
            output.writeByte(alarm.alarm().ordinal());
        }

        @Override
        public AlarmChange read(Kryo kryo, Input input, Class<? extends AlarmChange> type) {
            AlarmChange.Action action = readEnum(input, AlarmChange.Action.values());
            long memberId = readLong(input);
            return new AlarmChange(action, memberId, readEnum(input, AlarmChange.Type.values()));
        }
    }

    private static final class MemberChangeSerializer extends Serializer<MemberChange> {
        @Override
        public void write(Kryo kryo, Output output, MemberChange change) {
            output.writeByte(change.action().ordinal());
            writeString(output, change.peer());
            writeLong(output, change.memberId());
        }

        @Override
        public MemberChange read(Kryo kryo, Input input, Class<? extends MemberChange> type) {
            MemberChange.Action action = readEnum(input, MemberChange.Action.values());
            String peer = readString(input);
            return new MemberChange(action, peer, readLong(input));
        }
    }
}
