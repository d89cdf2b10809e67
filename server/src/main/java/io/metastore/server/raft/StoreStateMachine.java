package io.metastore.server.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import io.metastore.codec.EntryDecoder;
import io.metastore.command.Command;
import io.metastore.mvcc.MvccStore;
import io.metastore.server.apply.Applied;
import io.metastore.server.apply.Applier;
import io.metastore.server.metrics.Stages;
import io.metastore.server.propose.Proposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Raft state machine: applies committed entries, in log order, through the {@link Applier}.
 *
 * <p>Threading contract (jraft's): every callback runs on jraft's single FSM caller thread, so
 * the store is only ever written from here. Reads go to the store from other threads, which
 * the store allows.
 *
 * <ul>
 *   <li>On the leader an entry's closure carries the command object it proposed: it is applied
 *       as is, never decoded. Followers (and a restarted node replaying its log) decode the
 *       entry with the {@link EntryDecoder}, which reads every codec's format.</li>
 *   <li>An entry at or below the store's applied index was applied before a restart (the index
 *       is committed in the same engine batch as the data) and is skipped, so none applies
 *       twice.</li>
 *   <li>{@code leaderChanged} runs each time this member becomes leader or starts following
 *       a new one ({@code etcd_server_leader_changes_seen_total}).</li>
 *   <li>An entry that fails to apply is a broken invariant: the state machine reports it to
 *       jraft with {@code setErrorAndRollback}, which stops the node. It is never skipped.</li>
 * </ul>
 */
public final class StoreStateMachine extends StateMachineAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(StoreStateMachine.class);
    private static final String SNAPSHOT_FILE = "store.snap";

    private final MvccStore store;
    private final Applier applier;
    private final EntryDecoder decoder;
    private final Consumer<List<Applied>> appliedListener;
    private final AppliedIndex appliedIndex;
    private final Runnable leaderChanged;
    private final Stages stages;
    private final LogAppendTimes logAppendTimes = new LogAppendTimes();
    /** Runs on the leader after each group of entries is applied; set once by the Raft node before it starts. */
    private volatile Runnable afterLeaderApply = () -> { };
    private volatile long term;
    private volatile boolean leader;
    private volatile RaftException error;

    public StoreStateMachine(MvccStore store, Applier applier, EntryDecoder decoder, Consumer<List<Applied>> appliedListener,
                             AppliedIndex appliedIndex, Runnable leaderChanged, Stages stages) {
        this.stages = stages;
        this.appliedIndex = appliedIndex;
        this.leaderChanged = leaderChanged;
        this.store = store;
        this.applier = applier;
        this.decoder = decoder;
        this.appliedListener = appliedListener;
    }

    @Override
    public void onApply(Iterator it) {
        while (it.hasNext()) {
            long index = it.getIndex();
            Closure done = it.done();
            List<Proposal> proposals = done instanceof EntryClosure ec ? ec.proposals() : List.of();
            try {
                if (index > store.appliedIndex()) {
                    long started = System.nanoTime();
                    Command command = done instanceof EntryClosure ec ? ec.command() : decode(it.getData());
                    List<Applied> results = applier.apply(command, index);
                    appliedListener.accept(results);
                    // the applied position moves before any answer goes out: an answer forwarded to a
                    // follower carries it, and the follower waits for it before answering its client
                    appliedIndex.applied(index, it.getTerm());
                    if (done instanceof EntryClosure ec) {
                        long finished = System.nanoTime();
                        long written = logAppendTimes.writtenAt(index);
                        for (Proposal p : proposals) {
                            stages.leaderWrite(p.takenNanos(), ec.handedNanos(), written, started, finished);
                        }
                    }
                    for (int i = 0; i < proposals.size(); i++) {
                        proposals.get(i).result().complete(results.get(i));
                    }
                } else {
                    appliedIndex.applied(store.appliedIndex());
                }
            } catch (RuntimeException e) {
                LOG.error("entry {} failed to apply; stopping this node", index, e);
                proposals.forEach(p -> p.result().completeExceptionally(e));
                it.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "entry %d failed to apply: %s",
                        index, e));
                return;
            }
            it.next();
        }
        if (leader) {
            afterLeaderApply.run();
        }
    }

    /** What the leader does after each group of entries it applied (the Raft node sets it before it starts). */
    void afterLeaderApply(Runnable action) {
        this.afterLeaderApply = action;
    }

    private Command decode(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return decoder.decode(bytes);
    }

    @Override
    public void onSnapshotSave(SnapshotWriter writer, Closure done) {
        Path file = Path.of(writer.getPath(), SNAPSHOT_FILE);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            store.snapshot(out);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot save snapshot to {}", file, e);
            done.run(new Status(RaftError.EIO, "cannot save snapshot: %s", e));
            return;
        }
        if (writer.addFile(SNAPSHOT_FILE)) {
            done.run(Status.OK());
        } else {
            done.run(new Status(RaftError.EIO, "cannot add %s to the snapshot", SNAPSHOT_FILE));
        }
    }

    @Override
    public boolean onSnapshotLoad(SnapshotReader reader) {
        long snapshotIndex = reader.load() == null ? 0 : reader.load().getLastIncludedIndex();
        if (store.appliedIndex() >= snapshotIndex) {
            LOG.info("store already at index {}; snapshot at {} not loaded", store.appliedIndex(), snapshotIndex);
            return true;
        }
        Path file = Path.of(reader.getPath(), SNAPSHOT_FILE);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            store.restore(in);
            applier.reloaded();
            appliedIndex.applied(store.appliedIndex(), store.appliedIndex() == snapshotIndex ? reader.load().getLastIncludedTerm() : 0);
            LOG.info("restored store from snapshot at index {} (revision {})", snapshotIndex, store.currentRevision());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot load snapshot {}", file, e);
            return false;
        }
    }

    @Override
    public void onLeaderStart(long term) {
        this.term = term;
        this.leader = true;
        applier.leaderStarted();
        leaderChanged.run();
        LOG.info("became leader at term {}", term);
    }

    @Override
    public void onLeaderStop(Status status) {
        this.leader = false;
        applier.leaderStopped();
    }

    @Override
    public void onStartFollowing(LeaderChangeContext ctx) {
        this.term = ctx.getTerm();
        leaderChanged.run();
    }

    @Override
    public void onError(RaftException e) {
        this.error = e;
        LOG.error("raft node stopped on error: {}", e.getStatus());
    }

    /** When recent entries reached this member's log (its {@link RaftNode}'s log storage records them). */
    LogAppendTimes logAppendTimes() {
        return logAppendTimes;
    }

    /** The current Raft term as this member last saw it. */
    public long term() {
        return term;
    }

    public boolean isLeader() {
        return leader;
    }

    /** The error that stopped the node, or {@code null}. */
    public RaftException error() {
        return error;
    }
}
