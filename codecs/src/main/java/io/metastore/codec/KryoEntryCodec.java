package io.metastore.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
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
 * </pre>
 *
 * <p>Byte arrays are a positive varint length then the raw bytes; {@code n} is a positive varint
 * count; longs are Kryo positive-optimised varlongs; enums and flags are one byte (an enum as its
 * etcd wire number, which is its ordinal). Unknown flag bits and out-of-range enum numbers are
 * rejected.
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
}
