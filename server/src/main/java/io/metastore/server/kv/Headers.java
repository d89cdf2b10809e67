package io.metastore.server.kv;

import io.etcd.jetcd.api.ResponseHeader;
import io.metastore.server.raft.ClusterIdentity;

import java.util.function.LongSupplier;

/** Builds etcd's response header: cluster id, member id, revision and the current Raft term. */
public final class Headers {
    private final ClusterIdentity identity;
    private final LongSupplier term;

    public Headers(ClusterIdentity identity, LongSupplier term) {
        this.identity = identity;
        this.term = term;
    }

    public ResponseHeader at(long revision) {
        return ResponseHeader.newBuilder()
                .setClusterId(identity.clusterId())
                .setMemberId(identity.memberId())
                .setRevision(revision)
                .setRaftTerm(term.getAsLong())
                .build();
    }

    public ClusterIdentity identity() {
        return identity;
    }
}
