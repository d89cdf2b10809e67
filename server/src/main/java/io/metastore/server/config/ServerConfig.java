package io.metastore.server.config;

import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.StoreOptions;
import io.metastore.server.lease.ExpiryTracker;
import io.metastore.server.propose.ProposalStrategy;

import java.nio.file.Path;
import java.util.List;

/**
 * The resolved configuration of one server: every option typed and validated. Built by
 * {@link ConfigLoader}; the composition root reads nothing else.
 */
public record ServerConfig(
        int memberId,
        List<String> peers,
        String grpcHost,
        int grpcPort,
        int httpPort,
        Tls tls,
        Storage storage,
        Path dataDir,
        boolean join,
        Tier tier,
        String codec,
        ProposalStrategy proposalStrategy,
        long proposalWaitMillis,
        MemoryEngine.Locking memoryLocking,
        StoreOptions storeOptions,
        ExpiryTracker.Kind leaseExpiry,
        GrpcExecutor grpcExecutor,
        long quotaBackendBytes,
        String authToken,
        Limits limits,
        Log log,
        RaftSettings raft,
        Peer peer,
        Identity identity) {

    public enum Storage { MEMORY, ROCKSDB }

    /**
     * What this member calls itself and tells others, from etcd's flags.
     *
     * @param name                {@code --name}, shown by MemberList
     * @param clusterToken        {@code --initial-cluster-token}, mixed into the derived cluster id
     * @param advertiseClientUrls {@code --advertise-client-urls}, shown by MemberList; empty: the client listen
     *                            address with the port it bound
     * @param peerListen          where the peer port binds, {@code host:port} ({@code --listen-peer-urls}; by
     *                            default the member's own peer address)
     */
    public record Identity(String name, String clusterToken, List<String> advertiseClientUrls, String peerListen) {
        /** etcd's default {@code --initial-cluster-token}. */
        public static final String DEFAULT_TOKEN = "etcd-cluster";

        public Identity {
            advertiseClientUrls = List.copyOf(advertiseClientUrls);
        }
    }

    /**
     * TLS of a listener, from etcd's flags ({@code --cert-file} and the rest for clients,
     * {@code --peer-cert-file} and the rest between members). For clients, with a certificate and
     * key the client port serves only TLS (gRPC and HTTP/1.1) and {@code --port} serves HTTPS. As
     * etcd 3.4 does ({@code TLSInfo.ServerConfig}), a trusted CA file alone already requires client
     * certificates; {@code --client-cert-auth} without one checks them against the JDK's trust
     * store, as Go checks them against the system roots.
     *
     * @param certFile      PEM certificate chain of this server, or {@code null}: no TLS
     * @param keyFile       PEM private key of {@code certFile}
     * @param trustedCaFile PEM certificates that sign client certificates, or {@code null}
     * @param allowedCn     etcd's {@code --peer-cert-allowed-cn}: the Common Name a certificate from the other end
     *                      must have, or {@code null}
     * @param allowedHostname etcd's {@code --peer-cert-allowed-hostname} / {@code --client-cert-allowed-hostname}:
     *                      the name a certificate's SAN DNS names or IP addresses must match (Go's
     *                      {@code VerifyHostname}), or {@code null}; never set together with {@code allowedCn}
     * @param selfSigned    etcd's {@code --auto-tls} / {@code --peer-auto-tls}: {@code certFile} and {@code keyFile}
     *                      are the data dir's {@code fixtures}, generated at start-up when missing, and the other
     *                      end's certificate is not verified
     */
    public record Tls(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth, String allowedCn,
                      String allowedHostname, boolean selfSigned) {
        public Tls(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth) {
            this(certFile, keyFile, trustedCaFile, clientCertAuth, null, null, false);
        }

        public static Tls off() {
            return new Tls(null, null, null, false);
        }

        /** Whether the other end's certificate must match {@code allowedCn} or {@code allowedHostname}. */
        public boolean checksNames() {
            return allowedCn != null || allowedHostname != null;
        }

        public boolean enabled() {
            return certFile != null;
        }

        /** Whether a client must present a certificate the server trusts. */
        public boolean requiresClientCertificates() {
            return enabled() && (clientCertAuth || trustedCaFile != null || checksNames());
        }

        @Override
        public String toString() {
            return (!enabled() ? "off" : requiresClientCertificates() ? "on,client-cert-auth" : "on")
                    + (selfSigned ? ",auto-tls" : "") + (allowedCn != null ? ",allowed-cn=" + allowedCn : "")
                    + (allowedHostname != null ? ",allowed-hostname=" + allowedHostname : "");
        }
    }

    /**
     * The Raft peer port: jraft's transport and its TLS.
     *
     * @param transport {@code GRPC}: jraft's RPCs over gRPC (HTTP/2), on the member's own peer address, with
     *                  mutual TLS when {@code tls} is on; {@code BOLT}: jraft's own transport (SOFABolt, with
     *                  hessian), listening on every interface, without TLS, kept to measure against
     * @param tls       the member's peer certificate, from etcd's {@code --peer-*} flags
     * @param ioThreads the event-loop threads of the gRPC peer transport's own, which carry only traffic
     *                  between members; 0: gRPC's default event loops, shared with the client port's calls
     * @param stream    with gRPC, requests to a connected member travel as frames of one long-lived stream
     *                  rather than as a unary call each
     * @param appendOnTransport with gRPC, a member handles AppendEntries and heartbeats on the transport thread
     *                  that read them instead of handing each to jraft's per-leader executor
     */
    public record Peer(Transport transport, Tls tls, int ioThreads, boolean stream, boolean appendOnTransport) {
        public enum Transport { GRPC, BOLT }

        @Override
        public String toString() {
            return transport.name().toLowerCase(java.util.Locale.ROOT) + ",tls=" + tls
                    + (transport == Transport.GRPC ? ",io-threads=" + ioThreads + ",stream=" + stream
                    + ",append-on-transport=" + appendOnTransport : "");
        }
    }

    /**
     * Where gRPC runs KV calls: {@code POOL}, gRPC's default cached thread pool (a hand-off per
     * call event); {@code LEADER}, the transport thread itself while this member leads (the calls
     * then never block: proposals that find the queue full wait elsewhere), the pool on a
     * follower; {@code DIRECT}, the transport thread on every member, since a follower's
     * forwarding never blocks either over the gRPC peer transport (with bolt, whose connect
     * blocks, as {@code LEADER}).
     */
    public enum GrpcExecutor { POOL, LEADER, DIRECT }

    /**
     * jraft's own settings and how this member uses Raft, printed at start-up because every
     * benchmark must record them.
     *
     * @param followerCommit how a follower learns that the entry of a write it forwarded is committed
     * @param sharedTimers   jraft's election, vote, step-down and snapshot timers on its shared
     *                       scheduled pools, which wake only when a timer is due, instead of a
     *                       hashed-wheel timer thread each that ticks every millisecond
     * @param commitPush     the leader sends its new commit index to every follower right after it
     *                       applied entries (one heartbeat round, at most one in flight), as etcd's
     *                       leader does, instead of leaving it to the next AppendEntries or heartbeat
     * @param forwardBatch   the most forwarded requests a follower sends the leader in one message: those
     *                       that arrive while earlier messages are unanswered go together (1: one message
     *                       per request)
     * @param timerTickMs    the tick of jraft's hashed-wheel timers (its ReadIndex timeout scanner, and
     *                       the per-node timers when they are not shared), in milliseconds; jraft's own is 1
     */
    public record RaftSettings(int applyBatch, int disruptorBufferSize, boolean sync, int electionTimeoutMs,
                               int snapshotIntervalSecs, int snapshotLogIndexMargin, FollowerCommit followerCommit,
                               boolean sharedTimers, boolean commitPush, int forwardBatch, int timerTickMs) {
    }

    /**
     * How a follower that forwarded a write learns its entry is committed (it answers only once it
     * applied the entry): {@code HEARTBEAT}, only from the leader's next AppendEntries or heartbeat
     * (jraft's way: up to election timeout / 10 later when nothing else is written); {@code ANSWER},
     * also from the leader's answer, which names its last applied entry (see {@code CommitHints}).
     */
    public enum FollowerCommit { HEARTBEAT, ANSWER }

    /**
     * What one member takes at most; every limit refuses the excess at once, so overload never
     * builds a queue.
     *
     * @param maxRequestBytes      largest request proposed to Raft (etcd's {@code --max-request-bytes});
     *                             gRPC takes messages up to this plus etcd's 512 KiB of overhead
     * @param maxConcurrentStreams concurrent calls per client connection (0: no limit)
     * @param maxWatchers          watchers on this member
     * @param maxLeases            leases in the cluster, checked when a grant is proposed (0: no limit)
     * @param maxRequestsPerSecond calls accepted per second, with a burst of one second's worth (0: no limit)
     * @param httpRequestTimeoutMs how long an HTTP/1.1 connection may take to send a whole request, from its
     *                             opening or the previous answer (0: no limit); a slow or stalled client
     *                             would otherwise hold its descriptor for ever
     */
    public record Limits(int maxRequestBytes, int maxConcurrentStreams, int maxWatchers, int maxLeases,
                         int maxRequestsPerSecond, int httpRequestTimeoutMs) {
        /** The default {@code --http-request-timeout-ms}. */
        public static final int DEFAULT_HTTP_REQUEST_TIMEOUT_MS = 30_000;
        /** etcd's default {@code --max-request-bytes}: 1.5 MiB. */
        public static final int DEFAULT_MAX_REQUEST_BYTES = 3 * 512 * 1024;
        /** etcd's {@code grpcOverheadBytes}: what a message may carry beyond the request limit. */
        public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_REQUEST_BYTES, 0, 100_000, 0, 0, DEFAULT_HTTP_REQUEST_TIMEOUT_MS);
        }

        /** The largest message a client may send or receive: the request limit plus gRPC's overhead. */
        public int maxMessageBytes() {
            return maxRequestBytes + GRPC_OVERHEAD_BYTES;
        }
    }

    /**
     * The process's logging: {@code json} true for one JSON object per line, {@code level} of
     * MetaStore's own loggers (error, warn, info, debug or trace). Applied by {@code Main}.
     */
    public record Log(boolean json, String level) {
    }

    public ServerConfig {
        peers = List.copyOf(peers);
    }

    /** This member's Raft address, {@code host:port}. */
    public String raftAddress() {
        return peers.get(memberId - 1);
    }

    /** Whether the key-value HTTP listener ({@code --port}) is on. */
    public boolean httpEnabled() {
        return httpPort != 0;
    }

    public String grpcAddress() {
        return grpcHost + ":" + grpcPort;
    }

    /** A copy listening for gRPC on another port (tests pick free ports). */
    public ServerConfig withGrpcPort(int port) {
        return new ServerConfig(memberId, peers, grpcHost, port, httpPort, tls, storage, dataDir, join, tier, codec,
                proposalStrategy, proposalWaitMillis, memoryLocking, storeOptions, leaseExpiry, grpcExecutor, quotaBackendBytes,
                authToken, limits, log, raft, peer, identity);
    }

    /** The settings as one line, for the start-up log and benchmark records. */
    public String describe() {
        return "member=" + memberId + " name=" + identity.name() + " peers=" + peers + " grpc=" + grpcAddress()
                + " http=" + (httpPort == 0 ? "off" : grpcHost + ":" + httpPort) + " tls=" + tls + " storage="
                + storage.name().toLowerCase(java.util.Locale.ROOT) + " data-dir=" + dataDir + " tier="
                + tier.flagValue() + " codec=" + codec + " proposal-strategy=" + proposalStrategy
                + " memory-locking=" + memoryLocking.name().toLowerCase(java.util.Locale.ROOT) + " store=" + storeOptions
                + " lease-expiry=" + leaseExpiry.name().toLowerCase(java.util.Locale.ROOT)
                + " grpc-executor=" + grpcExecutor.name().toLowerCase(java.util.Locale.ROOT)
                + " limits=" + limits
                + " raft=" + raft
                + " peer=" + peer
                + (identity.peerListen().equals(raftAddress()) ? "" : " listen-peer=" + identity.peerListen())
                + (identity.advertiseClientUrls().isEmpty() ? "" : " advertise-client-urls=" + identity.advertiseClientUrls())
                + (identity.clusterToken().equals(Identity.DEFAULT_TOKEN) ? "" : " initial-cluster-token=" + identity.clusterToken());
    }
}
