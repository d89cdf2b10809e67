package io.metastore.server.kv;

import io.etcd.jetcd.api.ResponseHeader;
import io.metastore.server.raft.ClusterIdentity;

import java.util.function.LongSupplier;

/**
 * Builds etcd's response header: cluster id, member id, revision and the current Raft term. The
 * member id is asked for each time, because a member learns its assigned id from the log.
 */
public final class Headers {
    private final long clusterId;
    private final LongSupplier memberId;
    private final LongSupplier term;

    public Headers(long clusterId, LongSupplier memberId, LongSupplier term) {
        this.clusterId = clusterId;
        this.memberId = memberId;
        this.term = term;
    }

    /** Headers with a fixed member id. */
    public Headers(ClusterIdentity identity, LongSupplier term) {
        this(identity.clusterId(), identity::memberId, term);
    }

    public ResponseHeader at(long revision) {
        return ResponseHeader.newBuilder()
                .setClusterId(clusterId)
                .setMemberId(memberId.getAsLong())
                .setRevision(revision)
                .setRaftTerm(term.getAsLong())
                .build();
    }

    /**
     * The same response with its header completed here: cluster, this member, the current
     * term, and the revision it carried (answers built on the apply path or by the leader
     * carry only a revision, or another member's header).
     */
    @SuppressWarnings("unchecked")
    public <T extends com.google.protobuf.Message> T restamp(T response) {
        var field = response.getDescriptorForType().findFieldByName("header");
        ResponseHeader h = (ResponseHeader) response.getField(field);
        return (T) response.toBuilder().setField(field, at(h.getRevision())).build();
    }

    /** The cluster id and this member's id as of now. */
    public ClusterIdentity identity() {
        return new ClusterIdentity(clusterId, memberId.getAsLong());
    }
}
