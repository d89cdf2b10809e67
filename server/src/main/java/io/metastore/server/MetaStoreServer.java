package io.metastore.server;

import io.metastore.codec.EntryCodec;
import io.metastore.codec.EntryCodecs;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.engine.rocksdb.RocksEngine;
import io.metastore.engine.rocksdb.RocksEngineOptions;
import io.metastore.mvcc.MvccStore;
import io.metastore.server.apply.Applier;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.apply.LeaseLookup;
import io.metastore.server.apply.RequestChecks;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.grpc.GrpcServer;
import io.metastore.server.kv.ForwardProcessor;
import io.metastore.server.kv.Headers;
import io.metastore.server.kv.RaftKv;
import io.metastore.server.propose.Proposer;
import io.metastore.server.raft.ClusterIdentity;
import io.metastore.server.raft.LeaderForwarder;
import io.metastore.server.raft.RaftNode;
import io.metastore.server.raft.StoreStateMachine;
import io.metastore.server.watch.WatchHub;
import io.metastore.server.watch.WatchService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: builds one member's whole object graph from a {@link ServerConfig}
 * and tears it down in reverse. Nothing is static, so one JVM can host several members with
 * different codecs, engines and strategies (tests and benchmarks do).
 *
 * <p>Data directory layout: {@code LOCK} (held while running), {@code engine/} (RocksDB),
 * {@code raft/} (jraft's log, metadata and snapshots).
 */
public final class MetaStoreServer implements AutoCloseable {
    /** etcd's limit on operations per txn list ({@code --max-txn-ops}). */
    public static final int MAX_TXN_OPS = 128;
    /** How long a follower waits for a leader to forward a write to, and for its answer. */
    static final long FORWARD_TIMEOUT_MILLIS = 10_000;

    private final ServerConfig config;
    private final Deque<AutoCloseable> closeOrder = new ArrayDeque<>();
    private final RaftNode raft;
    private final GrpcServer grpc;
    private final MvccStore store;
    private volatile boolean closed;

    private MetaStoreServer(ServerConfig config) {
        this.config = config;
        try {
            closeOrder.push(lockDataDir(config.dataDir()));
            StorageEngine engine = switch (config.storage()) {
                case MEMORY -> new MemoryEngine(config.memoryLocking());
                case ROCKSDB -> new RocksEngine(config.dataDir().resolve("engine"), RocksEngineOptions.defaults());
            };
            closeOrder.push(engine);
            store = new MvccStore(engine, config.storeOptions());
            closeOrder.push(store);
            WatchHub watchHub = new WatchHub(store, WatchHub.Settings.defaults());
            closeOrder.push(watchHub);
            KvApplier kv = new KvApplier(store, LeaseLookup.none());
            EntryCodec codec = EntryCodecs.byName(config.codec());
            StoreStateMachine fsm = new StoreStateMachine(store, new Applier(store, kv), EntryCodecs.decoder(),
                    watchHub::onApplied);
            raft = new RaftNode(config, fsm, codec);
            closeOrder.push(raft);
            Proposer proposer = Proposer.create(config.proposalStrategy(), raft, config.proposalWaitMillis());
            closeOrder.push(proposer);
            Headers headers = new Headers(ClusterIdentity.of(config.peers(), config.raftAddress()), raft::term);
            LeaderForwarder forwarder = new LeaderForwarder(raft, FORWARD_TIMEOUT_MILLIS);
            closeOrder.push(forwarder);
            RaftKv raftKv = new RaftKv(kv, new RequestChecks(MAX_TXN_OPS), proposer, raft, headers, forwarder);
            raft.registerProcessor(new ForwardProcessor(raftKv));
            grpc = new GrpcServer(config.grpcHost(), config.grpcPort(), List.of(GrpcServer.kvService(raftKv),
                    new WatchService(watchHub, headers))).start();
            closeOrder.push(grpc);
            closeOrder.push(watchHub); // closes first too: open watch streams would hold up gRPC's graceful stop
            grpc.setServing(true);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Starts a member; it serves requests as soon as this returns (writes wait for a leader). */
    public static MetaStoreServer start(ServerConfig config) {
        return new MetaStoreServer(config);
    }

    private static AutoCloseable lockDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new IllegalStateException("data dir " + dir + " is in use by another process");
            }
            return () -> {
                lock.release();
                ch.close();
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data dir " + dir + ": " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), e);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException("data dir " + dir + " is in use in this process");
        }
    }

    public boolean awaitLeader(long timeout, TimeUnit unit) throws InterruptedException {
        return raft.awaitLeader(timeout, unit);
    }

    public int grpcPort() {
        return grpc.port();
    }

    public ServerConfig config() {
        return config;
    }

    public RaftNode raft() {
        return raft;
    }

    public MvccStore store() {
        return store;
    }

    /**
     * Stops in reverse order of construction: watch streams end ("etcdserver: server stopped"),
     * gRPC stops taking calls and finishes in-flight ones, the proposer fails what is still
     * queued, Raft shuts down, then the store and the engine close.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        while (!closeOrder.isEmpty()) {
            try {
                closeOrder.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("shutdown: " + e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
