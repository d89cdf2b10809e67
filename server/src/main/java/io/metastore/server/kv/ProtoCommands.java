package io.metastore.server.kv;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.metastore.command.Compact;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import io.metastore.server.error.EtcdError;

import java.util.ArrayList;
import java.util.List;

/**
 * etcd's request messages as MetaStore commands. Byte fields are copied out of the messages
 * once, here, and owned by the commands from then on.
 *
 * <p>The stub's {@code Compare} message predates etcd's LEASE target (enum value 4, field
 * {@code lease = 8}); both arrive as unknown values and are read from there, so compares on a
 * key's lease work for every client.
 */
final class ProtoCommands {
    private ProtoCommands() {
    }

    private static final int COMPARE_LEASE_TARGET = 4;
    private static final int COMPARE_LEASE_FIELD = 8;

    static Put put(PutRequest r) {
        return new Put(r.getKey().toByteArray(), r.getValue().toByteArray(), r.getLease(), r.getPrevKv(),
                r.getIgnoreValue(), r.getIgnoreLease());
    }

    static DeleteRange deleteRange(DeleteRangeRequest r) {
        return new DeleteRange(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getPrevKv());
    }

    static Range range(RangeRequest r) {
        return new Range(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getLimit(), r.getRevision(),
                orDefault(Range.SortOrder.values(), r.getSortOrderValue(), Range.SortOrder.NONE),
                orDefault(Range.SortTarget.values(), r.getSortTargetValue(), Range.SortTarget.KEY),
                r.getSerializable(), r.getKeysOnly(), r.getCountOnly(),
                r.getMinModRevision(), r.getMaxModRevision(), r.getMinCreateRevision(), r.getMaxCreateRevision());
    }

    static Compact compact(CompactionRequest r) {
        return new Compact(r.getRevision(), r.getPhysical());
    }

    static Txn txn(TxnRequest r) {
        List<Compare> compares = new ArrayList<>(r.getCompareCount());
        for (io.etcd.jetcd.api.Compare c : r.getCompareList()) {
            compares.add(compare(c));
        }
        return new Txn(compares, ops(r.getSuccessList()), ops(r.getFailureList()));
    }

    private static List<TxnOp> ops(List<RequestOp> ops) {
        List<TxnOp> out = new ArrayList<>(ops.size());
        for (RequestOp op : ops) {
            out.add(switch (op.getRequestCase()) {
                case REQUEST_RANGE -> range(op.getRequestRange());
                case REQUEST_PUT -> put(op.getRequestPut());
                case REQUEST_DELETE_RANGE -> deleteRange(op.getRequestDeleteRange());
                case REQUEST_TXN -> txn(op.getRequestTxn());
                // etcd answers an empty operation with "key not found" (v3rpc checkRequestOp)
                case REQUEST_NOT_SET -> throw EtcdError.KEY_NOT_FOUND.exception();
            });
        }
        return out;
    }

    private static Compare compare(io.etcd.jetcd.api.Compare c) {
        int target = c.getTargetValue();
        byte[] key = c.getKey().toByteArray();
        byte[] end = c.getRangeEnd().toByteArray();
        int resultNumber = c.getResultValue();
        boolean knownTarget = target >= 0 && target <= COMPARE_LEASE_TARGET;
        if (resultNumber < 0 || resultNumber >= Compare.Result.values().length || !knownTarget) {
            // etcd's compareKV: an unknown result holds; an unknown target compares as equal (0 against 0)
            boolean holds = resultNumber < 0 || resultNumber >= Compare.Result.values().length
                    || resultNumber == Compare.Result.EQUAL.ordinal();
            return new Compare(holds ? Compare.Result.NOT_EQUAL : Compare.Result.EQUAL, Compare.Target.VERSION, key, end,
                    -1, new byte[0]);
        }
        Compare.Result result = Compare.Result.values()[resultNumber];
        if (target == COMPARE_LEASE_TARGET) {
            long lease = 0;
            var field = c.getUnknownFields().getField(COMPARE_LEASE_FIELD);
            if (field != null && !field.getVarintList().isEmpty()) {
                lease = field.getVarintList().get(field.getVarintList().size() - 1);
            }
            return new Compare(result, Compare.Target.LEASE, key, end, lease, new byte[0]);
        }
        Compare.Target t = enumAt(Compare.Target.values(), target);
        return switch (t) {
            case VERSION -> new Compare(result, t, key, end, c.getVersion(), new byte[0]);
            case CREATE -> new Compare(result, t, key, end, c.getCreateRevision(), new byte[0]);
            case MOD -> new Compare(result, t, key, end, c.getModRevision(), new byte[0]);
            case VALUE -> new Compare(result, t, key, end, 0, c.getValue().toByteArray());
            case LEASE -> throw new IllegalStateException("unreachable");
        };
    }

    /** An unknown sort order or target reads as the default (etcd sorts by neither). */
    private static <E extends Enum<E>> E orDefault(E[] values, int number, E fallback) {
        return number < 0 || number >= values.length ? fallback : values[number];
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int number) {
        if (number < 0 || number >= values.length) {
            throw new IllegalArgumentException("unknown enum value " + number + " for " + values[0].getDeclaringClass().getSimpleName());
        }
        return values[number];
    }
}
