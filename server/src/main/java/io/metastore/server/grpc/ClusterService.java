package io.metastore.server.grpc;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.maintenance.Membership;

/** etcd's {@code etcdserverpb.Cluster} service (membership changes are not served yet). */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final Membership membership;

    ClusterService(Membership membership) {
        this.membership = membership;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        Answer.with(observer, membership::list);
    }
}
