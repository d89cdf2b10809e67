package io.metastore.server.lease;

import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import com.google.protobuf.ByteString;
import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.mvcc.MvccStore;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;
import io.metastore.server.kv.Headers;
import io.metastore.server.propose.Proposer;
import io.metastore.server.raft.ForwardProcessor;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.LeaderForwarder;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Lease operations behind the gRPC handlers. Grants and revokes go through the log;
 * keep-alives and time-to-live questions are answered by the leader, which alone knows
 * deadlines — a follower forwards them, as etcd's followers do. The lease list is answered
 * from this member's table.
 */
public final class RaftLease {
    /** etcd's {@code MaxLeaseTTL}. */
    public static final long MAX_TTL_SECONDS = 9_000_000_000L;

    private final Lessor lessor;
    private final LeaseIds ids;
    private final long minTtlSeconds;
    private final Proposer proposer;
    private final Headers headers;
    private final LeaderForwarder forwarder;
    private final MvccStore store;
    private final io.metastore.server.alarm.Quota quota;
    private final int maxLeases;

    /** {@code maxLeases}: a grant while the cluster holds this many leases fails with "too many requests" (0: no limit). */
    public RaftLease(Lessor lessor, LeaseIds ids, long minTtlSeconds, Proposer proposer,
                     Headers headers, LeaderForwarder forwarder, MvccStore store, io.metastore.server.alarm.Quota quota,
                     int maxLeases) {
        this.quota = quota;
        this.maxLeases = maxLeases;
        this.lessor = lessor;
        this.ids = ids;
        this.minTtlSeconds = minTtlSeconds;
        this.proposer = proposer;
        this.headers = headers;
        this.forwarder = forwarder;
        this.store = store;
    }

    /** etcd's minimum TTL: one and a half election timeouts, in whole seconds rounded up. */
    public static long minTtlSeconds(int electionTimeoutMs) {
        return (long) Math.ceil(1.5 * electionTimeoutMs / 1000.0);
    }

    public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest req) {
        if (req.getTTL() > MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        // Every member holds the same lease table, so the member that takes the request decides.
        if (maxLeases > 0 && lessor.leases().size() >= maxLeases) {
            throw EtcdError.TOO_MANY_REQUESTS.exception();
        }
        quota.check();
        return forwarder.route(() -> grantHere(req), ForwardRequest.Kind.LEASE_GRANT, req, LeaseGrantResponse::parseFrom, 0)
                .thenApply(headers::restamp);
    }

    public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest req) {
        return forwarder.route(() -> revokeHere(req), ForwardRequest.Kind.LEASE_REVOKE, req, LeaseRevokeResponse::parseFrom, 0)
                .thenApply(headers::restamp);
    }

    public CompletableFuture<LeaseKeepAliveResponse> keepAlive(LeaseKeepAliveRequest req) {
        return forwarder.route(() -> keepAliveHere(req), ForwardRequest.Kind.LEASE_KEEP_ALIVE, req,
                        LeaseKeepAliveResponse::parseFrom, 0)
                .thenApply(headers::restamp);
    }

    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest req) {
        return forwarder.route(() -> timeToLiveHere(req), ForwardRequest.Kind.LEASE_TIME_TO_LIVE, req,
                        LeaseTimeToLiveResponse::parseFrom,
                        req.getKeys() ? LeaderForwarder.UNBOUNDED_ANSWER : 0)
                .thenApply(headers::restamp);
    }

    /** The ids of every lease this member knows, and the header for the answer. */
    public List<Long> leases() {
        return lessor.leases().stream().map(Lease::id).sorted().toList();
    }

    /** The keys attached to a lease on this member (none for an unknown lease). */
    public List<byte[]> keysOf(long id) {
        Lease l = lessor.get(id);
        return l == null ? List.of() : l.keys();
    }

    public Headers headers() {
        return headers;
    }

    public long currentRevision() {
        return store.currentRevision();
    }

    /** Registers what the leader runs for lease requests forwarded by followers. */
    public void serveForwarded(ForwardProcessor processor) {
        processor.on(ForwardRequest.Kind.LEASE_GRANT, b -> grantHere(LeaseGrantRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.LEASE_REVOKE, b -> revokeHere(LeaseRevokeRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.LEASE_KEEP_ALIVE, b -> keepAliveHere(LeaseKeepAliveRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.LEASE_TIME_TO_LIVE, b -> timeToLiveHere(LeaseTimeToLiveRequest.parseFrom(b)));
    }

    // ------------------------------------------------------------------ on the leader

    CompletableFuture<LeaseGrantResponse> grantHere(LeaseGrantRequest req) {
        long id = req.getID();
        if (id == 0) {
            do {
                id = ids.next();
            } while (lessor.exists(id));
        }
        long ttl = Math.max(req.getTTL(), minTtlSeconds);
        return write(new LeaseGrant(id, ttl)).thenApply(a -> (LeaseGrantResponse) a.response());
    }

    CompletableFuture<LeaseRevokeResponse> revokeHere(LeaseRevokeRequest req) {
        return write(new LeaseRevoke(req.getID())).thenApply(a -> (LeaseRevokeResponse) a.response());
    }

    CompletableFuture<LeaseKeepAliveResponse> keepAliveHere(LeaseKeepAliveRequest req) {
        if (!lessor.isPrimary()) {
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        return lessor.renew(req.getID()).thenApply(ttl -> LeaseKeepAliveResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision())).setID(req.getID()).setTTL(ttl).build());
    }

    CompletableFuture<LeaseTimeToLiveResponse> timeToLiveHere(LeaseTimeToLiveRequest req) {
        if (!lessor.isPrimary()) {
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision())).setID(req.getID());
        Lease l = lessor.get(req.getID());
        if (l == null) {
            return CompletableFuture.completedFuture(b.setTTL(-1).build());
        }
        b.setTTL(lessor.remainingSeconds(req.getID())).setGrantedTTL(l.ttlSeconds());
        if (req.getKeys()) {
            l.keys().forEach(k -> b.addKeys(ByteString.copyFrom(k)));
        }
        return CompletableFuture.completedFuture(b.build());
    }

    private CompletableFuture<Applied> write(io.metastore.command.Command c) {
        return proposer.propose(c).thenApply(Applied::orThrow);
    }
}
