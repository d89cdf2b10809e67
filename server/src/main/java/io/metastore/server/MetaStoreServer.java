package io.metastore.server;

import io.metastore.codec.EntryCodec;
import io.metastore.codec.EntryCodecs;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.engine.rocksdb.RocksEngine;
import io.metastore.engine.rocksdb.RocksEngineOptions;
import io.metastore.mvcc.MvccStore;
import io.metastore.server.alarm.Alarms;
import io.metastore.server.alarm.Quota;
import io.metastore.server.apply.Applier;
import io.metastore.server.concurrency.Concurrency;
import io.metastore.server.concurrency.KeyEvents;
import io.metastore.server.auth.AuthStore;
import io.metastore.server.auth.Authorizer;
import io.metastore.server.auth.RaftAuth;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.apply.RequestChecks;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.grpc.GrpcServer;
import io.metastore.server.http.ClientApi;
import io.metastore.server.http.ClientPort;
import io.metastore.server.http.Gateway;
import io.metastore.server.http.Health;
import io.metastore.server.http.HttpListener;
import io.metastore.server.http.KeyValueApi;
import io.metastore.server.datadir.OwnerOnly;
import io.metastore.server.http.StatusRoutes;
import io.metastore.server.kv.Headers;
import io.metastore.server.kv.RaftKv;
import io.metastore.server.propose.Proposer;
import io.metastore.server.lease.ExpiryLoop;
import io.metastore.server.lease.LeaseIds;
import io.metastore.server.lease.Lessor;
import io.metastore.server.lease.RaftLease;
import io.metastore.server.raft.AppliedIndex;
import io.metastore.server.raft.ClusterIdentity;
import io.metastore.server.raft.IdentityFile;
import io.metastore.server.raft.ForwardProcessor;
import io.metastore.server.raft.ForwardBatch;
import io.metastore.server.raft.ForwardBatchResponse;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.ForwardResponse;
import io.metastore.server.raft.MemberInfo;
import io.metastore.server.raft.MemberInfoProcessor;
import io.metastore.server.raft.MemberInfoRequest;
import io.metastore.server.peer.PeerTransport;
import io.metastore.server.tls.PeerTls;
import io.metastore.server.maintenance.Maintenance;
import io.metastore.server.metrics.Metrics;
import io.metastore.server.metrics.TimedEngine;
import io.metastore.server.maintenance.Membership;
import io.metastore.server.member.MemberIds;
import io.metastore.server.raft.LeaderForwarder;
import io.metastore.server.raft.RaftNode;
import io.metastore.server.raft.StoreStateMachine;
import io.metastore.server.tls.NettyTls;
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
 * {@code raft/} (jraft's log, metadata and snapshots). Directories are 0700 and files 0600
 * ({@link OwnerOnly}).
 */
public final class MetaStoreServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MetaStoreServer.class);
    /** etcd's limit on operations per txn list ({@code --max-txn-ops}). */
    public static final int MAX_TXN_OPS = 128;
    /** How long a follower waits for a leader to forward a write to, and for its answer. */
    static final long FORWARD_TIMEOUT_MILLIS = 10_000;
    /** How often the leader looks for expired leases (etcd checks every 500 ms). */
    static final long LEASE_TICK_MILLIS = 500;
    /** etcd's default {@code --auth-token-ttl}: a simple token lapses after this long unused. */
    static final long AUTH_TOKEN_TTL_SECONDS = 300;

    private final ServerConfig config;
    private final Deque<AutoCloseable> closeOrder = new ArrayDeque<>();
    private final RaftNode raft;
    private final GrpcServer grpc;
    private final HttpListener http;
    private final MvccStore store;
    private final StorageEngine engine;
    private final Metrics metrics = new Metrics().withJvmMetrics();
    private volatile boolean closed;

    /**
     * The leader checks a forwarded KV write, compaction, lease revoke or query, or membership change
     * against its own auth state, for the user the follower names, with the check the follower's gRPC
     * service made (auth changes: {@code RaftAuth}); a member cannot act for a user who may not.
     */
    private static void authorizeForwarded(ForwardProcessor forwarded, Authorizer auth,
                                           java.util.function.LongFunction<List<byte[]>> leaseKeys) {
        ForwardProcessor.Check admin = (user, b) -> auth.admin(user);
        forwarded.authorize(ForwardRequest.Kind.PUT, whileEnabled(auth,
                        (user, b) -> auth.putAlone(user, io.etcd.jetcd.api.PutRequest.parseFrom(b))))
                .authorize(ForwardRequest.Kind.DELETE_RANGE, whileEnabled(auth,
                        (user, b) -> auth.deleteRange(user, io.etcd.jetcd.api.DeleteRangeRequest.parseFrom(b))))
                .authorize(ForwardRequest.Kind.TXN, whileEnabled(auth,
                        (user, b) -> auth.txn(user, io.etcd.jetcd.api.TxnRequest.parseFrom(b))))
                .authorize(ForwardRequest.Kind.LEASE_REVOKE, whileEnabled(auth, (user, b) ->
                        auth.leaseRevoke(user, leaseKeys.apply(io.etcd.jetcd.api.LeaseRevokeRequest.parseFrom(b).getID()))))
                .authorize(ForwardRequest.Kind.LEASE_TIME_TO_LIVE, whileEnabled(auth, (user, b) -> {
                    auth.authenticated(user);
                    io.etcd.jetcd.api.LeaseTimeToLiveRequest r = io.etcd.jetcd.api.LeaseTimeToLiveRequest.parseFrom(b);
                    if (r.getKeys()) {
                        auth.leaseKeys(user, leaseKeys.apply(r.getID()));
                    }
                }))
                .authorize(ForwardRequest.Kind.COMPACT, admin)
                .authorize(ForwardRequest.Kind.MEMBER_ADD, admin)
                .authorize(ForwardRequest.Kind.MEMBER_REMOVE, admin)
                .authorize(ForwardRequest.Kind.MEMBER_UPDATE, admin)
                .authorize(ForwardRequest.Kind.MEMBER_PROMOTE, admin);
    }

    /** When KV calls run on the transport thread that read them ({@code null}: never), as {@code --grpc-executor} says. */
    private java.util.function.BooleanSupplier directKvWhile(ServerConfig config) {
        boolean forwardingBlocks = config.peer().transport() == ServerConfig.Peer.Transport.BOLT;
        return switch (config.grpcExecutor()) {
            case POOL -> null;
            case LEADER -> raft::isLeader;
            case DIRECT -> forwardingBlocks ? raft::isLeader : () -> true;
        };
    }

    /** {@code check} only while auth is on: without it the forwarded request is not parsed a second time. */
    private static ForwardProcessor.Check whileEnabled(Authorizer auth, ForwardProcessor.Check check) {
        return (user, b) -> {
            if (auth.enabled()) {
                check.check(user, b);
            }
        };
    }

    private MetaStoreServer(ServerConfig config) {
        this.config = config;
        try {
            // first: bad certificate files stop nothing half-started
            NettyTls tls = NettyTls.load(config.tls(), List.of(config.grpcHost()));
            String raftHost = config.raftAddress().substring(0, config.raftAddress().lastIndexOf(':'));
            PeerTransport peers = new PeerTransport(config.peer(), PeerTls.load(config.peer().tls(), List.of(raftHost)))
                    .register(ForwardRequest.getDefaultInstance()).register(ForwardResponse.getDefaultInstance())
                    .register(ForwardBatch.getDefaultInstance()).register(ForwardBatchResponse.getDefaultInstance())
                    .register(MemberInfoRequest.getDefaultInstance()).register(MemberInfo.getDefaultInstance());
            if (!peers.secure()) {
                LOG.warn(
                        "the Raft peer port {} has no TLS{}: whoever reaches it can act as a member (write any key, change"
                                + " any user); keep it on a trusted network, or give every member --peer-cert-file,"
                                + " --peer-key-file and --peer-trusted-ca-file", config.raftAddress(),
                        config.peer().transport() == ServerConfig.Peer.Transport.BOLT ? " and listens on every interface (bolt)" : "");
            }
            if (config.peer().tls().selfSigned()) {
                LOG.warn("--peer-auto-tls: members talk TLS with self-signed certificates and, as etcd's do, do not verify"
                        + " each other's: the traffic is encrypted, but whoever reaches the peer port {} can act as a member;"
                        + " give every member --peer-cert-file, --peer-key-file and --peer-trusted-ca-file to authenticate"
                        + " members (with auto TLS, as in etcd, --peer-trusted-ca-file, --peer-client-cert-auth and"
                        + " --peer-cert-allowed-* do not apply)", config.raftAddress());
            }
            closeOrder.push(peers); // after everything that uses it: the server and every client shut down first
            closeOrder.push(lockDataDir(config.dataDir()));
            // runs after everything below has closed, before the lock is released: what the libraries wrote last is private too
            closeOrder.push(() -> OwnerOnly.tighten(config.dataDir()));
            privateSubdirs(config);
            ClusterIdentity identity = IdentityFile.load(config.dataDir(), config.peers(), config.identity().clusterToken(),
                    config.raftAddress(), config.join(),
                    peers);
            engine = new TimedEngine(switch (config.storage()) {
                case MEMORY -> new MemoryEngine(config.memoryLocking());
                case ROCKSDB -> new RocksEngine(config.dataDir().resolve("engine"), RocksEngineOptions.defaults());
            }, metrics);
            closeOrder.push(engine);
            store = new MvccStore(engine, config.storeOptions());
            closeOrder.push(store);
            Lessor lessor = new Lessor(config.leaseExpiry(), System::nanoTime, metrics);
            lessor.recover(store);
            AuthStore authStore = new AuthStore(System::nanoTime, AUTH_TOKEN_TTL_SECONDS,
                    io.metastore.server.auth.JwtTokens.parse(config.authToken()));
            authStore.recover(store);
            Alarms alarms = new Alarms(config.quotaBackendBytes(), engine::approximateSizeBytes);
            alarms.recover(store);
            MemberIds memberIds = new MemberIds(peer -> ClusterIdentity.memberId(identity.clusterId(), peer),
                    config.raftAddress());
            memberIds.recover(store);
            KvApplier kv = new KvApplier(store, lessor::exists, metrics);
            EntryCodec codec = EntryCodecs.byName(config.codec());
            java.util.concurrent.ExecutorService keyEventExecutor = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "key-events");
                t.setDaemon(true);
                return t;
            });
            closeOrder.push(keyEventExecutor::shutdownNow);
            KeyEvents keyEvents = new KeyEvents(keyEventExecutor);
            WatchHub watchHub = new WatchHub(store, WatchHub.Settings.forLimits(config.limits().maxWatchers(),
                    config.limits().maxRequestBytes()));
            closeOrder.push(watchHub);
            AppliedIndex appliedIndex = new AppliedIndex();
            appliedIndex.applied(store.appliedIndex());
            StoreStateMachine fsm = new StoreStateMachine(store, new Applier(store, kv, lessor, authStore, alarms, memberIds), EntryCodecs.decoder(),
                    applied -> {
                        watchHub.onApplied(applied);
                        keyEvents.onApplied(applied);
                    }, appliedIndex, metrics::leaderChanged, metrics.stages());
            raft = new RaftNode(config, fsm, codec, metrics, peers);
            closeOrder.push(raft);
            Proposer proposer = Proposer.create(config.proposalStrategy(), raft, config.proposalWaitMillis(),
                    config.grpcExecutor() == ServerConfig.GrpcExecutor.POOL);
            closeOrder.push(proposer);
            Headers headers = new Headers(identity.clusterId(), memberIds::self, raft::term);
            LeaderForwarder forwarder = new LeaderForwarder(raft, peers.client(), GrpcServer::currentUser, appliedIndex,
                    FORWARD_TIMEOUT_MILLIS, metrics.stages(), config.raft().forwardBatch(),
                    metrics::forwardSent);
            closeOrder.push(forwarder);
            Quota quota = new Quota(alarms, proposer, memberIds::self);
            RaftKv raftKv = new RaftKv(kv, new RequestChecks(MAX_TXN_OPS), proposer, raft, headers, forwarder, quota,
                    config.limits().maxRequestBytes(), metrics.stages());
            RaftLease raftLease = new RaftLease(lessor, new LeaseIds(memberIds.self(), System.currentTimeMillis()),
                    RaftLease.minTtlSeconds(config.raft().electionTimeoutMs()), proposer, headers, forwarder, store, quota,
                    config.limits().maxLeases());
            closeOrder.push(new ExpiryLoop(lessor, proposer, LEASE_TICK_MILLIS, metrics::leaseExpired));
            ForwardProcessor forwarded = new ForwardProcessor(appliedIndex);
            raftKv.serveForwarded(forwarded);
            raftLease.serveForwarded(forwarded);
            raft.registerProcessor(forwarded);
            raft.registerProcessor(forwarded.batches());
            Authorizer authorizer = new Authorizer(authStore, raftLease::keysOf);
            authorizeForwarded(forwarded, authorizer, raftLease::keysOf);
            RaftAuth raftAuth = new RaftAuth(authStore, authorizer, proposer, forwarder, codec, EntryCodecs.decoder(),
                    headers, store::currentRevision);
            raftAuth.serveForwarded(forwarded);
            Concurrency concurrency = new Concurrency(raftKv, keyEvents);
            Maintenance maintenance = new Maintenance(store, engine, raft, headers, alarms, raftAuth, memberIds);
            java.util.function.Supplier<MemberInfo> self = () -> {
                List<String> clientUrls = advertisedClientUrls(config, grpcPort()); // the port is bound once gRPC starts
                return MemberInfo.newBuilder().setName(config.identity().name())
                        .setClientUrl(clientUrls.get(0)).addAllClientUrls(clientUrls)
                        .setClusterId(identity.clusterId()).setAppliedIndex(raft.node().getLastAppliedLogIndex()).build();
            };
            raft.registerProcessor(new MemberInfoProcessor(self));
            Membership membership = new Membership(raft, forwarder, headers, self, config.raftAddress(), store::currentRevision,
                    proposer, memberIds);
            membership.serveForwarded(forwarded);
            ClientPort clientPort = new ClientPort(tls == null ? null : tls.clientPort(), config.limits().httpRequestTimeoutMs());
            grpc = new GrpcServer(config.grpcHost(), config.grpcPort(), new GrpcServer.Setup(clientPort.credentials(),
                    directKvWhile(config), config.limits(),
                    metrics.grpc()),
                    List.of(GrpcServer.kvService(raftKv, authorizer),
                    GrpcServer.leaseService(raftLease, authorizer), GrpcServer.maintenanceService(maintenance, authorizer),
                    GrpcServer.clusterService(membership, authorizer), GrpcServer.authService(raftAuth),
                    GrpcServer.lockService(concurrency, authorizer), GrpcServer.electionService(concurrency, authorizer),
                    new WatchService(watchHub, headers, () -> {
                        String token = GrpcServer.currentToken();
                        return (key, end) -> authorizer.watchRefusal(token, key, end);
                    })),
                    GrpcServer.callerInterceptor(authStore));
            StatusRoutes status = new StatusRoutes(new Health(() -> raft.leaderAddress() != null,
                    () -> !alarms.raised().isEmpty(), raft::readIndex), Maintenance.VERSION, out -> {
                        try {
                            metrics.writeText(out);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            clientPort.serve(new ClientApi(status, new Gateway(grpc.localChannel())));
            grpc.start();
            closeOrder.push(grpc);
            closeOrder.push(clientPort); // closes before gRPC: its HTTP connections are not gRPC transports
            if (config.httpEnabled()) {
                http = new HttpListener(config.grpcHost(), config.httpPort(), tls == null ? null : tls.http1(),
                        config.limits().httpRequestTimeoutMs(), new KeyValueApi(status, grpc.localChannel()));
                closeOrder.push(http);
            } else {
                http = null;
            }
            closeOrder.push(watchHub); // closes first too: open watch streams would hold up gRPC's graceful stop
            registerGauges(proposer, appliedIndex, watchHub);
            tighten(config.dataDir());
            grpc.setServing(true);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * What MemberList shows as this member's client URLs: {@code --advertise-client-urls}, or, without
     * them, the client listen address with the port it bound (a listener on port 0 advertises the port
     * it got).
     */
    static List<String> advertisedClientUrls(ServerConfig config, int boundPort) {
        if (!config.identity().advertiseClientUrls().isEmpty()) {
            return config.identity().advertiseClientUrls();
        }
        String host = config.grpcHost().contains(":") ? "[" + config.grpcHost() + "]" : config.grpcHost();
        return List.of((config.tls().enabled() ? "https://" : "http://") + host + ":" + boundPort);
    }

    /** The gauges: values read from the components when the metrics are scraped. */
    private void registerGauges(Proposer proposer, AppliedIndex appliedIndex, WatchHub watchHub) {
        metrics.flag("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
                () -> raft.leaderAddress() != null);
        metrics.flag("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", raft::isLeader);
        metrics.gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.",
                raft::lastCommittedIndex);
        metrics.gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.",
                appliedIndex::current);
        metrics.gauge("etcd_server_proposals_pending",
                "The current number of pending proposals to commit (commands handed to Raft, not yet applied).",
                raft::pendingProposals);
        metrics.gauge("metastore_proposal_queue_depth", "Commands waiting in the proposal queue for the proposer thread.",
                proposer::queueDepth);
        metrics.gauge("etcd_mvcc_db_total_size_in_bytes",
                "Total size of the underlying database physically allocated in bytes (the engine's estimate).",
                engine::approximateSizeBytes);
        metrics.gauge("etcd_debugging_mvcc_keys_total", "Total number of keys.", store::keyCount);
        metrics.gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", watchHub::watcherCount);
        metrics.gauge("etcd_debugging_mvcc_watch_stream_total", "Total number of watch streams.", watchHub::streamCount);
    }

    /** Starts a member; it serves requests as soon as this returns (writes wait for a leader). */
    public static MetaStoreServer start(ServerConfig config) {
        return new MetaStoreServer(config);
    }

    /** Before the libraries open them: nothing they create below is reachable by another user. */
    private static void privateSubdirs(ServerConfig config) {
        try {
            OwnerOnly.createDirectories(config.dataDir().resolve("raft"));
            if (config.storage() == ServerConfig.Storage.ROCKSDB) {
                OwnerOnly.createDirectories(config.dataDir().resolve("engine"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir's directories in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static void tighten(Path dataDir) {
        try {
            OwnerOnly.tighten(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dataDir + " owner-only: " + e.getMessage(), e);
        }
    }

    private static AutoCloseable lockDataDir(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalStateException("data dir " + dir + " is not a directory");
        }
        try {
            if (Files.isDirectory(dir)) {
                OwnerOnly.warning(dir).ifPresent(LOG::warn); // etcd 3.4 warns too, and leaves a given directory as it is
            } else {
                OwnerOnly.createDirectories(dir);
            }
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
            String why = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                    ? fs.getFile() + ": " + fs.getReason()
                    : e.getClass().getSimpleName() + " " + e.getMessage();
            throw new UncheckedIOException("cannot use data dir " + dir + ": " + why, e);
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

    /** The port of the key-value HTTP listener ({@code --port}), or 0 when it is off. */
    public int httpPort() {
        return http == null ? 0 : http.port();
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

    /** This member's metrics; {@link Metrics#writeText} is what {@code /metrics} serves. */
    public Metrics metrics() {
        return metrics;
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
