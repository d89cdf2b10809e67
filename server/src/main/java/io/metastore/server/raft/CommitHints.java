package io.metastore.server.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.core.BallotBox;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.storage.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a follower learns that an entry is committed without waiting for the leader's next
 * AppendEntries or heartbeat (jraft sends those every election timeout / 10, 100 ms by
 * default; etcd's leader sends the new commit index at once).
 *
 * <p>A follower that forwarded a write answers its client only once it has applied the entry
 * itself, so that the client reads its write on this member. The leader's answer names its last
 * applied entry (index and term): that entry is committed. Raft's log matching property says
 * an entry with the same index and term in two logs is the same entry, with the same log before
 * it; so once this member's own log has persisted an entry at that index with that term, this
 * member may take everything up to it as committed, exactly as if the leader's heartbeat had
 * said so. The hint is kept until the log has the entry (its append usually finishes just after
 * the answer arrives), and dropped if the term differs (the log will be repaired by the leader
 * and the commit learned the usual way) or this member leads.
 *
 * <p>jraft has no public way to tell a follower its commit index, so this calls its
 * {@link BallotBox#setLastCommittedIndex}, which is what jraft's own follower does on an
 * AppendEntries; the ballot box is taken from the node by reflection once, at start.
 *
 * <p>Threading: {@link #offer} runs on the threads answering forwarded writes,
 * {@link #persisted} on jraft's log thread; both hold this object's lock only to read or
 * replace the pending hint.
 */
final class CommitHints {
    private static final Logger LOG = LoggerFactory.getLogger(CommitHints.class);

    private final boolean enabled;
    private final Runnable taken;
    private volatile LogStorage log;
    private volatile Node node;
    private volatile BallotBox ballotBox;
    /** Highest index this member's log storage has written (and synced, with --raft-sync). */
    private volatile long persistedIndex;
    /** The hint waiting for the log: index 0 when none. */
    private long hintIndex;
    private long hintTerm;

    /** {@code taken} runs each time a hint moves the commit index. */
    CommitHints(boolean enabled, Runnable taken) {
        this.enabled = enabled;
        this.taken = taken;
    }

    /** The log storage jraft created (called from the storage's constructor). */
    void attach(LogStorage log) {
        this.log = log;
    }

    /** The started node; without access to its ballot box the hints stay off, with a warning. */
    void attach(Node node) {
        this.node = node;
        if (!enabled) {
            return;
        }
        try {
            java.lang.reflect.Field f = NodeImpl.class.getDeclaredField("ballotBox");
            f.setAccessible(true);
            this.ballotBox = (BallotBox) f.get(node);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("followers learn the commit index from the leader's heartbeats only: {}", e.toString());
        }
    }

    /** Log thread: the log storage wrote entries up to {@code lastIndex}, or was cut back to it. */
    void persisted(long lastIndex) {
        persistedIndex = lastIndex;
        if (ballotBox != null) {
            tryAdopt();
        }
    }

    /** The leader said the entry {@code index} of {@code term} is applied, hence committed. */
    void offer(long index, long term) {
        if (ballotBox == null || term == 0) {
            return;
        }
        synchronized (this) {
            if (index <= hintIndex) {
                return;
            }
            hintIndex = index;
            hintTerm = term;
        }
        tryAdopt();
    }

    /**
     * Takes the hint once the log has its entry. No jraft lock is taken while this object's lock
     * is held, and none that a thread waiting for the log thread could hold: this also runs on
     * the log thread.
     */
    private void tryAdopt() {
        long index;
        long term;
        synchronized (this) {
            index = hintIndex;
            if (index == 0 || index > persistedIndex) {
                return;
            }
            term = hintTerm;
            hintIndex = 0;
        }
        if (node.isLeader(false) || ballotBox.getLastCommittedIndex() >= index) {
            return;
        }
        try {
            if (log.getTerm(index) != term) {
                return;
            }
            if (ballotBox.setLastCommittedIndex(index)) {
                taken.run();
            } else if (ballotBox.getLastCommittedIndex() < index) {
                // jraft's apply queue was full: try again with the next append
                synchronized (this) {
                    if (hintIndex < index) {
                        hintIndex = index;
                        hintTerm = term;
                    }
                }
            }
        } catch (RuntimeException e) {
            // this member just became a candidate or leader: the commit comes the usual way
            LOG.debug("commit hint {}@{} not taken: {}", index, term, e.toString());
        }
    }
}
