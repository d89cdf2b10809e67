package io.metastore.server.alarm;

import io.metastore.command.AlarmChange;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.WriteTxn;
import io.metastore.server.error.EtcdError;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The raised alarms (etcd's alarm store) and the space quota behind NOSPACE. Alarms are
 * replicated: raised and cleared by committed {@link AlarmChange} entries, kept as auxiliary
 * records {@code alarm/MEMBER/TYPE}. While any NOSPACE alarm stands, every member refuses
 * requests that could grow the store (puts, txns that write, lease grants) with "etcdserver:
 * mvcc: database space exceeded", until an operator frees space and disarms it.
 *
 * <p>Threading: the apply thread changes the set; request threads read an immutable copy.
 */
public final class Alarms {
    private static final byte[] PREFIX = "alarm/".getBytes(StandardCharsets.US_ASCII);

    /** One raised alarm. */
    public record Raised(long memberId, AlarmChange.Type type) implements Comparable<Raised> {
        /** As etcd's {@code AlarmMember}. */
        public io.etcd.jetcd.api.AlarmMember toProto() {
            return io.etcd.jetcd.api.AlarmMember.newBuilder().setMemberID(memberId).setAlarmValue(type.ordinal()).build();
        }

        @Override
        public int compareTo(Raised o) {
            int c = Long.compareUnsigned(memberId, o.memberId);
            return c != 0 ? c : type.compareTo(o.type);
        }
    }

    /** How long a size far below the quota is trusted before the engine is asked again. */
    private static final long SIZE_REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long quotaBytes;
    private final LongSupplier sizeBytes;
    private final LongSupplier clock;
    private volatile Set<Raised> raised = Set.of();
    /** Whether {@link #raised} holds a NOSPACE alarm: read by every write request, so kept beside it. */
    private volatile boolean nospace;
    /** The last size read and when (racy reads are fine: a stale pair only means one more engine query). */
    private volatile long lastSize = Long.MAX_VALUE;
    private volatile long lastSizeAt;

    /** {@code quotaBytes <= 0}: no quota. */
    public Alarms(long quotaBytes, LongSupplier sizeBytes) {
        this(quotaBytes, sizeBytes, System::nanoTime);
    }

    Alarms(long quotaBytes, LongSupplier sizeBytes, LongSupplier clock) {
        this.quotaBytes = quotaBytes;
        this.sizeBytes = sizeBytes;
        this.clock = clock;
    }

    public Set<Raised> raised() {
        return raised;
    }

    /** Whether a request that grows the store may go ahead: no NOSPACE alarm stands and the store is within its quota. */
    public boolean withinQuota() {
        return !nospaceRaised() && (quotaBytes <= 0 || size() <= quotaBytes);
    }

    /**
     * The engine's size. Asking RocksDB costs several property reads, once per write request;
     * while the store is below half its quota the last answer is reused for 100 ms, so the check
     * can let through at most 100 ms of writes past a quota it was far from. Near the quota every
     * request asks.
     */
    private long size() {
        long now = clock.getAsLong();
        long last = lastSize;
        if (last < quotaBytes / 2 && now - lastSizeAt < SIZE_REUSE_NANOS) {
            return last;
        }
        long size = sizeBytes.getAsLong();
        lastSizeAt = now;
        lastSize = size;
        return size;
    }

    public void checkSpace() {
        if (!withinQuota()) {
            throw EtcdError.NO_SPACE.exception();
        }
    }

    public boolean nospaceRaised() {
        return nospace;
    }

    private void set(Set<Raised> now) {
        raised = Set.copyOf(now);
        nospace = now.stream().anyMatch(r -> r.type() == AlarmChange.Type.NOSPACE);
    }

    public void recover(MvccStore store) {
        Set<Raised> out = new TreeSet<>();
        store.scanAux(PREFIX, (k, v) -> {
            String[] parts = new String(k, StandardCharsets.US_ASCII).split("/");
            out.add(new Raised(Long.parseUnsignedLong(parts[1], 16), AlarmChange.Type.valueOf(parts[2])));
            return true;
        });
        set(out);
    }

    /** Applies a raise or a clear inside {@code txn} (apply thread). */
    public void apply(WriteTxn txn, AlarmChange c) {
        Set<Raised> out = new TreeSet<>(raised);
        if (c.action() == AlarmChange.Action.ACTIVATE) {
            if (c.alarm() == AlarmChange.Type.NONE) {
                return;
            }
            Raised r = new Raised(c.memberId(), c.alarm());
            out.add(r);
            txn.putAux(key(r), new byte[] {1});
        } else {
            for (Raised r : Set.copyOf(out)) {
                if ((c.memberId() == 0 || r.memberId() == c.memberId())
                        && (c.alarm() == AlarmChange.Type.NONE || r.type() == c.alarm())) {
                    out.remove(r);
                    txn.deleteAux(key(r));
                }
            }
        }
        set(out);
    }

    private static byte[] key(Raised r) {
        return ("alarm/" + Long.toHexString(r.memberId()) + "/" + r.type().name()).getBytes(StandardCharsets.US_ASCII);
    }
}
