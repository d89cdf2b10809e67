package io.metastore.server.raft;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.util.Describer;
import io.metastore.server.metrics.Metrics;

import java.util.List;

/**
 * jraft's log storage with every append timed into {@code etcd_disk_wal_fsync_duration_seconds}.
 * jraft writes a group of entries with one RocksDB write, synced when {@code --raft-sync} is
 * on, and has no hook around the fsync alone; so this measures the whole append, write and
 * fsync together, the nearest honest counterpart of etcd's WAL fsync. It also tells the
 * {@link CommitHints} how far the log is written. Installed through jraft's service factory;
 * everything else delegates.
 */
final class TimedLogStorage implements LogStorage, Describer {
    private final LogStorage log;
    private final Metrics metrics;
    private final CommitHints hints;
    private final LogAppendTimes times;

    TimedLogStorage(LogStorage log, Metrics metrics, CommitHints hints, LogAppendTimes times) {
        this.log = log;
        this.metrics = metrics;
        this.hints = hints;
        this.times = times;
        hints.attach(this);
    }

    /** jraft's default factory, with its log storage wrapped; {@code hints} and {@code times} hear of every write. */
    static DefaultJRaftServiceFactory factory(Metrics metrics, CommitHints hints, LogAppendTimes times) {
        return new DefaultJRaftServiceFactory() {
            @Override
            public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
                return new TimedLogStorage(super.createLogStorage(uri, raftOptions), metrics, hints, times);
            }
        };
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        long start = System.nanoTime();
        boolean ok = log.appendEntry(entry);
        appended(start, ok ? List.of(entry) : List.of());
        return ok;
    }

    @Override
    public int appendEntries(List<LogEntry> entries) {
        long start = System.nanoTime();
        int n = log.appendEntries(entries);
        appended(start, entries.subList(0, Math.max(n, 0)));
        return n;
    }

    /** One append took from {@code startNanos} until now and wrote {@code written}. */
    private void appended(long startNanos, List<LogEntry> written) {
        long end = System.nanoTime();
        metrics.logAppended(end - startNanos);
        if (!written.isEmpty()) {
            long last = written.get(written.size() - 1).getId().getIndex();
            times.written(written.get(0).getId().getIndex(), last, end);
            hints.persisted(last);
        }
    }

    @Override
    public boolean init(LogStorageOptions opts) {
        boolean ok = log.init(opts);
        if (ok) {
            hints.persisted(log.getLastLogIndex());
        }
        return ok;
    }

    @Override
    public void shutdown() {
        log.shutdown();
    }

    @Override
    public long getFirstLogIndex() {
        return log.getFirstLogIndex();
    }

    @Override
    public long getLastLogIndex() {
        return log.getLastLogIndex();
    }

    @Override
    public LogEntry getEntry(long index) {
        return log.getEntry(index);
    }

    @Override
    public long getTerm(long index) {
        return log.getTerm(index);
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        return log.truncatePrefix(firstIndexKept);
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        boolean ok = log.truncateSuffix(lastIndexKept);
        hints.persisted(log.getLastLogIndex());
        return ok;
    }

    @Override
    public boolean reset(long nextLogIndex) {
        boolean ok = log.reset(nextLogIndex);
        hints.persisted(log.getLastLogIndex());
        return ok;
    }

    @Override
    public void describe(Printer out) {
        if (log instanceof Describer d) {
            d.describe(out);
        }
    }
}
