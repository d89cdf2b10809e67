package io.metastore.server.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RpcServer;
import io.metastore.codec.EntryCodec;
import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.server.apply.Applier;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.error.EtcdError;
import io.metastore.server.metrics.Metrics;
import io.metastore.server.peer.PeerTransport;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.metastore.server.propose.Proposal;
import io.metastore.server.propose.ProposalSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * This member's Raft node (sofa-jraft): starts it with the configured jraft settings, turns
 * proposals into log entries and answers ReadIndex requests. The Raft log, metadata and
 * snapshots live under {@code <data-dir>/raft}, apart from the engine's data.
 *
 * <p>Entries: a single proposal becomes an entry holding its command; consecutive batchable
 * proposals handed over together become one {@link Batch} entry. Each entry is encoded with
 * the configured codec on the proposing thread, and its closure keeps the command so the
 * leader applies it without decoding.
 */
public final class RaftNode implements ProposalSink, AutoCloseable {
    public static final String GROUP = "metastore";
    private static final String SOFA_LOGBACK_DISABLE = "logback.middleware.log.disable";

    private final EntryCodec codec;
    private final StoreStateMachine fsm;
    private final RaftGroupService service;
    private final Node node;
    private final RpcServer rpcServer;
    private final Metrics metrics;
    private final DistributionDataPoint entryBytes;
    /** Commands handed to jraft whose entry has not been applied or failed yet. */
    private final LongAdder pending = new LongAdder();
    private final EntryClosure.Outcome outcome = this::finished;
    private final CommitHints commitHints;
    /** Commit pushes: 0 none in flight, 1 one in flight, 2 one in flight and another wanted after it. */
    private final java.util.concurrent.atomic.AtomicInteger commitPushes = new java.util.concurrent.atomic.AtomicInteger();

    public RaftNode(ServerConfig config, StoreStateMachine fsm, EntryCodec codec, Metrics metrics, PeerTransport transport) {
        this.codec = codec;
        this.fsm = fsm;
        this.metrics = metrics;
        this.entryBytes = metrics.entryBytes(config.codec());
        Path raftDir = config.dataDir().resolve("raft");
        try {
            Files.createDirectories(raftDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + raftDir, e);
        }
        PeerId self = PeerId.parsePeer(config.raftAddress());
        NodeOptions options = nodeOptions(config, fsm, raftDir, transport.nodeOptions());
        if (config.raft().commitPush() && fsm != null) {
            fsm.afterLeaderApply(this::pushCommit);
        }
        this.commitHints = new CommitHints(config.raft().followerCommit() == ServerConfig.FollowerCommit.ANSWER,
                metrics::commitHintTaken);
        options.setServiceFactory(TimedLogStorage.factory(metrics, commitHints, fsm.logAppendTimes()));
        // jraft's transport (bolt) logs through sofa-common-tools, whose logback adapter predates
        // logback 1.5 and fails with a stack trace; without it bolt logs through SLF4J like the rest.
        if (System.getProperty(SOFA_LOGBACK_DISABLE) == null) {
            System.setProperty(SOFA_LOGBACK_DISABLE, "true");
        }
        CoarseTimerFactory.useTick(config.raft().timerTickMs());
        // --listen-peer-urls: the peer port may bind another address (0.0.0.0) than the one the members know it by
        String listen = config.identity().peerListen();
        int colon = listen.lastIndexOf(':');
        this.rpcServer = transport.server(new com.alipay.sofa.jraft.util.Endpoint(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1))));
        raftProcessors(rpcServer);
        this.service = new RaftGroupService(GROUP, self, options, rpcServer);
        try {
            this.node = service.start();
        } catch (RuntimeException e) {
            // jraft creates the node before it binds the peer port: a bind failure leaves a
            // started node behind, and its own message does not say which address failed
            Node started = service.getRaftNode();
            if (started == null) {
                throw e;
            }
            started.shutdown();
            try {
                started.join();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot listen for Raft on " + listen + ": " + rootMessage(e), e);
        }
        if (node == null) {
            throw new IllegalStateException("jraft node did not start on " + self);
        }
        commitHints.attach(node);
    }

    /**
     * The leader answered a forwarded write with its last applied entry, {@code index} of
     * {@code term}: that entry is committed, and with {@code --follower-commit answer} this member
     * takes it as committed as soon as its own log holds it (see {@link CommitHints}).
     */
    public void leaderApplied(long index, long term) {
        commitHints.offer(index, term);
    }

    /**
     * jraft's Raft RPCs (votes, AppendEntries, snapshots, ReadIndex, leadership transfer), with no
     * executors of their own: the transport's pool runs them, AppendEntries on its per-peer
     * executors. jraft's administration RPCs (reset or change peers, snapshot on demand) are not
     * served: membership changes go through etcd's Cluster API and its permission checks.
     */
    private static void raftProcessors(RpcServer server) {
        com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor appendEntries =
                new com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor(null);
        server.registerConnectionClosedEventListener(appendEntries);
        server.registerProcessor(appendEntries);
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.core.GetFileRequestProcessor(null));
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.core.InstallSnapshotRequestProcessor(null));
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.core.RequestVoteRequestProcessor(null));
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.PingRequestProcessor(null));
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.core.TimeoutNowRequestProcessor(null));
        server.registerProcessor(new com.alipay.sofa.jraft.rpc.impl.core.ReadIndexRequestProcessor(null));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** jraft's options from the configuration; the same values are printed at start-up. */
    static NodeOptions nodeOptions(ServerConfig config, StoreStateMachine fsm, Path raftDir, NodeOptions options) {
        ServerConfig.RaftSettings s = config.raft();
        RaftOptions raft = new RaftOptions();
        raft.setApplyBatch(s.applyBatch());
        raft.setDisruptorBufferSize(s.disruptorBufferSize());
        raft.setSync(s.sync());
        raft.setSyncMeta(s.sync());
        options.setRaftOptions(raft);
        options.setElectionTimeoutMs(s.electionTimeoutMs());
        options.setSnapshotIntervalSecs(s.snapshotIntervalSecs());
        options.setSnapshotLogIndexMargin(s.snapshotLogIndexMargin());
        options.setSharedElectionTimer(s.sharedTimers());
        options.setSharedVoteTimer(s.sharedTimers());
        options.setSharedStepDownTimer(s.sharedTimers());
        options.setSharedSnapshotTimer(s.sharedTimers());
        options.setFsm(fsm);
        options.setLogUri(raftDir.resolve("log").toString());
        options.setRaftMetaUri(raftDir.resolve("meta").toString());
        options.setSnapshotUri(raftDir.resolve("snapshot").toString());
        Configuration conf = new Configuration();
        if (!config.join()) {
            for (String peer : config.peers()) {
                conf.addPeer(PeerId.parsePeer(peer));
            }
        }
        options.setInitialConf(conf);
        return options;
    }

    @Override
    public void submit(List<Proposal> proposals) {
        List<Proposal> run = new ArrayList<>();
        for (Proposal p : proposals) {
            if (Applier.batchable(p.command())) {
                run.add(p);
            } else {
                flush(run);
                append(p.command(), List.of(p));
            }
        }
        flush(run);
    }

    private void flush(List<Proposal> run) {
        if (run.size() == 1) {
            append(run.get(0).command(), List.copyOf(run));
        } else if (run.size() > 1) {
            List<Command> commands = new ArrayList<>(run.size());
            run.forEach(p -> commands.add(p.command()));
            append(new Batch(commands), List.copyOf(run));
        }
        run.clear();
    }

    private void append(Command command, List<Proposal> proposals) {
        byte[] entry;
        try {
            entry = codec.encode(command);
        } catch (RuntimeException e) {
            metrics.proposalsFailed(proposals.size());
            proposals.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        metrics.entryProposed(proposals.size());
        entryBytes.observe(entry.length);
        pending.add(proposals.size());
        node.apply(new Task(ByteBuffer.wrap(entry), new EntryClosure(command, proposals, outcome)));
    }

    /** An entry's closure ran: its commands are no longer pending; {@code ok} false means they failed. */
    private void finished(int commands, boolean ok) {
        pending.add(-commands);
        if (!ok) {
            metrics.proposalsFailed(commands);
        }
    }

    /** Commands this member handed to Raft that are neither applied nor failed yet. */
    public long pendingProposals() {
        return pending.sum();
    }

    /**
     * Sends the leader's commit index to every follower now: a ReadIndex round on the leader sends
     * each follower a heartbeat carrying it (jraft has no other public way), so followers apply,
     * and their watchers see, an entry without waiting for the next AppendEntries or heartbeat.
     * Runs on the state-machine thread after each group of applied entries; at most one round is
     * in flight, and one more follows it if entries were applied meanwhile.
     */
    private void pushCommit() {
        if (commitPushes.getAndUpdate(s -> s == 0 ? 1 : 2) == 0) {
            startCommitPush();
        }
    }

    private void startCommitPush() {
        Node started = node;
        if (started == null) {
            // entries replayed while jraft starts, before this member can lead
            commitPushes.set(0);
            return;
        }
        started.readIndex(new byte[0], new ReadIndexClosure() {
            @Override
            public void run(Status status, long index, byte[] reqCtx) {
                if (commitPushes.getAndUpdate(s -> s == 2 ? 1 : 0) == 2) {
                    startCommitPush();
                }
            }
        });
    }

    /**
     * Confirms with ReadIndex that a read here is linearizable; the future completes once this
     * member has applied everything committed when the read began. jraft batches concurrent
     * requests into one round.
     */
    public CompletableFuture<Void> readIndex() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        node.readIndex(new byte[0], new ReadIndexClosure() {
            @Override
            public void run(Status status, long index, byte[] reqCtx) {
                if (status.isOk()) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(node.getLeaderId() == null || node.getLeaderId().isEmpty()
                            ? EtcdError.NO_LEADER.exception() : EtcdError.TIMEOUT.exception());
                }
            }
        });
        return f;
    }

    /** Serves another request type on this member's Raft transport. */
    public void registerProcessor(com.alipay.sofa.jraft.rpc.RpcProcessor<?> processor) {
        rpcServer.registerProcessor(processor);
    }

    public boolean isLeader() {
        return node.isLeader();
    }

    /** The leader's Raft address, or {@code null} while there is none. */
    public String leaderAddress() {
        PeerId id = node.getLeaderId();
        return id == null || id.isEmpty() ? null : id.getEndpoint().toString();
    }

    /**
     * Every voter's Raft address, as this member's configuration has it ({@code Node.listPeers}
     * answers only on the leader; the node's current configuration is known on every member).
     */
    public List<String> peers() {
        List<String> out = new ArrayList<>();
        currentConf().getPeers().forEach(p -> out.add(p.getEndpoint().toString()));
        return out;
    }

    /** Every learner's Raft address. */
    public List<String> learners() {
        List<String> out = new ArrayList<>();
        currentConf().getLearners().forEach(p -> out.add(p.getEndpoint().toString()));
        return out;
    }

    /**
     * Changes the configuration (leader only) to {@code peers} as voters and {@code learners};
     * completes when jraft has committed the change.
     */
    public CompletableFuture<Void> changeConfiguration(List<String> peers, List<String> learners) {
        Configuration conf = new Configuration();
        peers.forEach(p -> conf.addPeer(PeerId.parsePeer(p)));
        learners.forEach(p -> conf.addLearner(PeerId.parsePeer(p)));
        CompletableFuture<Void> f = new CompletableFuture<>();
        node.changePeers(conf, status -> {
            if (status.isOk()) {
                f.complete(null);
            } else if (EntryClosure.errorFor(status) == EtcdError.NOT_LEADER) {
                f.completeExceptionally(EtcdError.NOT_LEADER.exception());
            } else {
                f.completeExceptionally(new IllegalStateException("configuration change failed: " + status));
            }
        });
        return f;
    }

    public long lastCommittedIndex() {
        return node.getLastCommittedIndex();
    }

    private Configuration currentConf() {
        return ((com.alipay.sofa.jraft.core.NodeImpl) node).getCurrentConf();
    }

    /** Whether this member is a learner in its current configuration. */
    public boolean isLearner() {
        return learners().contains(node.getNodeId().getPeerId().getEndpoint().toString());
    }

    /** Asks jraft to hand leadership to {@code peer}; false if it refused at once. */
    public boolean transferLeadershipTo(String peer) {
        return node.transferLeadershipTo(PeerId.parsePeer(peer)).isOk();
    }

    public long term() {
        return fsm.term();
    }

    public Node node() {
        return node;
    }

    /** Waits until the group has a leader; false on timeout. */
    public boolean awaitLeader(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline) {
            if (leaderAddress() != null) {
                return true;
            }
            Thread.sleep(5);
        }
        return leaderAddress() != null;
    }

    @Override
    public void close() {
        service.shutdown();
        try {
            service.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
