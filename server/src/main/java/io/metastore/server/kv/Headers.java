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

    public ClusterIdentity identity() {
        return identity;
    }
}
