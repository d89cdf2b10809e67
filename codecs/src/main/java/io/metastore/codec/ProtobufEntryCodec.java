package io.metastore.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.metastore.codec.proto.BatchRequest;
import io.metastore.codec.proto.CompactionRequest;
import io.metastore.codec.proto.DeleteRangeRequest;
import io.metastore.codec.proto.Entry;
import io.metastore.codec.proto.LeaseGrantRequest;
import io.metastore.codec.proto.LeaseRevokeRequest;
import io.metastore.codec.proto.PutRequest;
import io.metastore.codec.proto.RangeRequest;
import io.metastore.codec.proto.RequestOp;
import io.metastore.codec.proto.TxnCompare;
import io.metastore.codec.proto.TxnRequest;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec {@code protobuf} (id 3): the body is one {@code metastore.entry.Entry} message from
 * {@code src/main/proto/metastore_entry.proto}, whose {@code command} oneof holds the command.
 * Messages mirror etcd's requests field for field; enums use etcd's wire numbers, which are the
 * ordinals of the model's enums.
 *
 * <p>Because an entry is always exactly one length-delimited field, every strict prefix of a body
 * fails to parse or leaves the oneof unset; both are reported as corruption, as are unknown enum
 * numbers and unknown top-level fields.
 */
public final class ProtobufEntryCodec implements EntryCodec {

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public byte id() {
        return EntryHeader.PROTOBUF_ID;
    }

    @Override
    public byte[] encode(Command command) {
        Entry message = toProto(command);
        byte[] entry = new byte[EntryHeader.LENGTH + message.getSerializedSize()];
        EntryHeader.write(entry, EntryHeader.PROTOBUF_ID);
        CodedOutputStream output = CodedOutputStream.newInstance(entry, EntryHeader.LENGTH,
                entry.length - EntryHeader.LENGTH);
        try {
            message.writeTo(output);
            output.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array failed", e);
        }
        return entry;
    }

    @Override
    public Command decode(byte[] entry) {
        EntryHeader.check(entry, EntryHeader.PROTOBUF_ID);
        try {
            CodedInputStream input = CodedInputStream.newInstance(entry, EntryHeader.LENGTH,
                    entry.length - EntryHeader.LENGTH);
            Entry message = Entry.parseFrom(input);
            if (!input.isAtEnd()) {
                throw new IllegalArgumentException("trailing bytes after the entry message");
            }
            if (!message.getUnknownFields().asMap().isEmpty()) {
                throw new IllegalArgumentException("unknown fields " + message.getUnknownFields().asMap().keySet());
            }
            return fromProto(message);
        } catch (IOException e) {
            throw CorruptEntryException.of("malformed protobuf body", entry, e);
        } catch (RuntimeException e) {
            throw CorruptEntryException.of("invalid protobuf command", entry, e);
        }
    }

    // ---- model to proto --------------------------------------------------------------------

    static Entry toProto(Command command) {
        Entry.Builder entry = Entry.newBuilder();
        if (command instanceof Put p) {
            entry.setPut(toProto(p));
        } else if (command instanceof DeleteRange d) {
            entry.setDeleteRange(toProto(d));
        } else if (command instanceof Txn t) {
            entry.setTxn(toProto(t));
        } else if (command instanceof Compact c) {
            entry.setCompact(CompactionRequest.newBuilder().setRevision(c.revision()).setPhysical(c.physical()));
        } else if (command instanceof LeaseGrant g) {
            entry.setLeaseGrant(LeaseGrantRequest.newBuilder().setId(g.id()).setTtlSeconds(g.ttlSeconds()));
        } else if (command instanceof LeaseRevoke r) {
            entry.setLeaseRevoke(LeaseRevokeRequest.newBuilder().setId(r.id()));
        } else if (command instanceof Batch b) {
            BatchRequest.Builder batch = BatchRequest.newBuilder();
            for (Command c : b.commands()) {
                batch.addCommands(toProto(c));
            }
            entry.setBatch(batch);
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return entry.build();
    }

    private static PutRequest toProto(Put p) {
        return PutRequest.newBuilder().setKey(ByteString.copyFrom(p.key())).setValue(ByteString.copyFrom(p.value()))
                .setLease(p.lease()).setPrevKv(p.prevKv()).setIgnoreValue(p.ignoreValue())
                .setIgnoreLease(p.ignoreLease()).build();
    }

    private static DeleteRangeRequest toProto(DeleteRange d) {
        return DeleteRangeRequest.newBuilder().setKey(ByteString.copyFrom(d.key()))
                .setRangeEnd(ByteString.copyFrom(d.rangeEnd())).setPrevKv(d.prevKv()).build();
    }

    private static RangeRequest toProto(Range r) {
        return RangeRequest.newBuilder().setKey(ByteString.copyFrom(r.key()))
                .setRangeEnd(ByteString.copyFrom(r.rangeEnd())).setLimit(r.limit()).setRevision(r.revision())
                .setSortOrderValue(r.sortOrder().ordinal()).setSortTargetValue(r.sortTarget().ordinal())
                .setSerializable(r.serializable()).setKeysOnly(r.keysOnly()).setCountOnly(r.countOnly())
                .setMinModRevision(r.minModRevision()).setMaxModRevision(r.maxModRevision())
                .setMinCreateRevision(r.minCreateRevision()).setMaxCreateRevision(r.maxCreateRevision()).build();
    }

    private static TxnRequest toProto(Txn t) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (Compare c : t.compare()) {
            txn.addCompare(TxnCompare.newBuilder().setResultValue(c.result().ordinal())
                    .setTargetValue(c.target().ordinal()).setKey(ByteString.copyFrom(c.key()))
                    .setRangeEnd(ByteString.copyFrom(c.rangeEnd())).setNumber(c.number())
                    .setValue(ByteString.copyFrom(c.value())));
        }
        for (TxnOp op : t.success()) {
            txn.addSuccess(toProto(op));
        }
        for (TxnOp op : t.failure()) {
            txn.addFailure(toProto(op));
        }
        return txn.build();
    }

    private static RequestOp toProto(TxnOp op) {
        RequestOp.Builder request = RequestOp.newBuilder();
        if (op instanceof Range r) {
            request.setRequestRange(toProto(r));
        } else if (op instanceof Put p) {
            request.setRequestPut(toProto(p));
        } else if (op instanceof DeleteRange d) {
            request.setRequestDeleteRange(toProto(d));
        } else if (op instanceof Txn t) {
            request.setRequestTxn(toProto(t));
        } else {
            throw new IllegalArgumentException("unknown txn op " + op);
        }
        return request.build();
    }

    // ---- proto to model --------------------------------------------------------------------

    static Command fromProto(Entry entry) {
        return switch (entry.getCommandCase()) {
            case PUT -> fromProto(entry.getPut());
            case DELETE_RANGE -> fromProto(entry.getDeleteRange());
            case TXN -> fromProto(entry.getTxn());
            case COMPACT -> new Compact(entry.getCompact().getRevision(), entry.getCompact().getPhysical());
            case LEASE_GRANT -> new LeaseGrant(entry.getLeaseGrant().getId(), entry.getLeaseGrant().getTtlSeconds());
            case LEASE_REVOKE -> new LeaseRevoke(entry.getLeaseRevoke().getId());
            case BATCH -> {
                List<Command> commands = new ArrayList<>(entry.getBatch().getCommandsCount());
                for (Entry c : entry.getBatch().getCommandsList()) {
                    commands.add(fromProto(c));
                }
                yield new Batch(commands);
            }
            case COMMAND_NOT_SET -> throw new IllegalArgumentException("entry holds no command");
        };
    }

    private static Put fromProto(PutRequest p) {
        return new Put(p.getKey().toByteArray(), p.getValue().toByteArray(), p.getLease(), p.getPrevKv(),
                p.getIgnoreValue(), p.getIgnoreLease());
    }

    private static DeleteRange fromProto(DeleteRangeRequest d) {
        return new DeleteRange(d.getKey().toByteArray(), d.getRangeEnd().toByteArray(), d.getPrevKv());
    }

    private static Range fromProto(RangeRequest r) {
        return new Range(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getLimit(), r.getRevision(),
                enumOf(Range.SortOrder.values(), r.getSortOrderValue()),
                enumOf(Range.SortTarget.values(), r.getSortTargetValue()), r.getSerializable(), r.getKeysOnly(),
                r.getCountOnly(), r.getMinModRevision(), r.getMaxModRevision(), r.getMinCreateRevision(),
                r.getMaxCreateRevision());
    }

    private static Txn fromProto(TxnRequest t) {
        List<Compare> compares = new ArrayList<>(t.getCompareCount());
        for (TxnCompare c : t.getCompareList()) {
            compares.add(new Compare(enumOf(Compare.Result.values(), c.getResultValue()),
                    enumOf(Compare.Target.values(), c.getTargetValue()), c.getKey().toByteArray(),
                    c.getRangeEnd().toByteArray(), c.getNumber(), c.getValue().toByteArray()));
        }
        return new Txn(compares, fromProto(t.getSuccessList()), fromProto(t.getFailureList()));
    }

    private static List<TxnOp> fromProto(List<RequestOp> requests) {
        List<TxnOp> ops = new ArrayList<>(requests.size());
        for (RequestOp request : requests) {
            ops.add(switch (request.getRequestCase()) {
                case REQUEST_RANGE -> fromProto(request.getRequestRange());
                case REQUEST_PUT -> fromProto(request.getRequestPut());
                case REQUEST_DELETE_RANGE -> fromProto(request.getRequestDeleteRange());
                case REQUEST_TXN -> fromProto(request.getRequestTxn());
                case REQUEST_NOT_SET -> throw new IllegalArgumentException("txn op holds no request");
            });
        }
        return ops;
    }

    private static <E extends Enum<E>> E enumOf(E[] values, int number) {
        if (number < 0 || number >= values.length) {
            throw new IllegalArgumentException("enum number " + number + " out of range for "
                    + values.getClass().getComponentType().getSimpleName());
        }
        return values[number];
    }
}
