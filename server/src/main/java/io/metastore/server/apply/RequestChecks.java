package io.metastore.server.apply;

import io.metastore.command.DeleteRange;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import io.metastore.server.error.EtcdError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks etcd makes on a request before proposing it (its {@code v3rpc/key.go}): a key is
 * required, {@code ignore_value}/{@code ignore_lease} exclude a value/lease, a txn has at most
 * {@code maxTxnOps} operations per list, and no key is both put and deleted, or put twice,
 * anywhere in one txn (except in the two exclusive branches of one nested txn). A refused
 * request never reaches the log.
 */
public final class RequestChecks {

    private final int maxTxnOps;

    public RequestChecks(int maxTxnOps) {
        this.maxTxnOps = maxTxnOps;
    }

    public void checkRange(Range r) {
        requireKey(r.key());
    }

    public void checkPut(Put p) {
        requireKey(p.key());
        if (p.ignoreValue() && p.value().length != 0) {
            throw EtcdError.VALUE_PROVIDED.exception();
        }
        if (p.ignoreLease() && p.lease() != 0) {
            throw EtcdError.LEASE_PROVIDED.exception();
        }
    }

    public void checkDeleteRange(DeleteRange d) {
        requireKey(d.key());
    }

    public void checkTxn(Txn t) {
        checkTxnOps(t);
        checkIntervals(t.success());
        checkIntervals(t.failure());
    }

    private void checkTxnOps(Txn t) {
        int ops = Math.max(t.compare().size(), Math.max(t.success().size(), t.failure().size()));
        if (ops > maxTxnOps) {
            throw EtcdError.TOO_MANY_OPS.exception();
        }
        t.compare().forEach(c -> requireKey(c.key()));
        for (List<TxnOp> list : List.of(t.success(), t.failure())) {
            for (TxnOp op : list) {
                if (op instanceof Range r) {
                    checkRange(r);
                } else if (op instanceof Put p) {
                    checkPut(p);
                } else if (op instanceof DeleteRange d) {
                    checkDeleteRange(d);
                } else if (op instanceof Txn nested) {
                    checkTxnOps(nested);
                }
            }
        }
    }

    private static void requireKey(byte[] key) {
        if (key.length == 0) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /** A key interval as etcd's interval tree compares them: an empty end is infinity; a single key is [k, k+"\0"). */
    private record Interval(byte[] begin, byte[] end) {
        boolean contains(byte[] key) {
            return Arrays.compareUnsigned(key, begin) >= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
        }
    }

    private record PutsAndDeletes(Set<String> puts, List<Interval> deletes) {
    }

    /**
     * etcd's {@code checkIntervals}: deletes of this level and every nested level are collected
     * first, then puts (nested, then this level) may not hit a delete or an earlier put.
     */
    private static PutsAndDeletes checkIntervals(List<TxnOp> ops) {
        List<Interval> dels = new ArrayList<>();
        for (TxnOp op : ops) {
            if (op instanceof DeleteRange d) {
                dels.add(d.rangeEnd().length != 0 ? new Interval(d.key(), d.rangeEnd())
                        : new Interval(d.key(), Arrays.copyOf(d.key(), d.key().length + 1)));
            }
        }
        Set<String> puts = new HashSet<>();
        for (TxnOp op : ops) {
            if (!(op instanceof Txn nested)) {
                continue;
            }
            PutsAndDeletes then = checkIntervals(nested.success());
            PutsAndDeletes otherwise = checkIntervals(nested.failure());
            for (String k : then.puts()) {
                if (puts.contains(k) || hits(dels, k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(k);
            }
            for (String k : otherwise.puts()) {
                // the same key in both branches is fine: only one branch runs
                if ((puts.contains(k) && !then.puts().contains(k)) || hits(dels, k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(k);
            }
            dels.addAll(then.deletes());
            dels.addAll(otherwise.deletes());
        }
        for (TxnOp op : ops) {
            if (op instanceof Put p) {
                String k = new String(p.key(), StandardCharsets.ISO_8859_1);
                if (puts.contains(k) || hits(dels, k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(k);
            }
        }
        return new PutsAndDeletes(puts, dels);
    }

    private static boolean hits(List<Interval> dels, String key) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        for (Interval i : dels) {
            if (i.contains(k)) {
                return true;
            }
        }
        return false;
    }
}
