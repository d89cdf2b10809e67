package io.metastore.server.grpc;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.metastore.server.auth.Authorizer;
import io.metastore.server.maintenance.Membership;

/**
 * etcd's {@code etcdserverpb.Cluster} service. The stub predates {@code MemberPromote}; it is
 * added by hand: its request ({@code uint64 ID = 1}) and response ({@code header = 1; repeated
 * Member members = 2}) have the wire shapes of MemberRemoveRequest and MemberListResponse.
 *
 * <p>With auth enabled, changes (add, remove, update, promote) need the root role, as in etcd
 * 3.4 ({@code checkMembershipOperationPermission}): without a token "etcdserver: user name is
 * empty", as another user "etcdserver: permission denied". Anyone may list the members.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    static final MethodDescriptor<MemberRemoveRequest, MemberListResponse> MEMBER_PROMOTE =
            MethodDescriptor.<MemberRemoveRequest, MemberListResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(ClusterGrpc.SERVICE_NAME, "MemberPromote"))
                    .setRequestMarshaller(ProtoUtils.marshaller(MemberRemoveRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(MemberListResponse.getDefaultInstance()))
                    .build();

    private final Membership membership;
    private final Authorizer auth;

    ClusterService(Membership membership, Authorizer auth) {
        this.membership = membership;
        this.auth = auth;
    }

    static BindableService definition(Membership membership, Authorizer auth) {
        ClusterService service = new ClusterService(membership, auth);
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(ClusterGrpc.SERVICE_NAME);
        for (ServerMethodDefinition<?, ?> m : service.bindService().getMethods()) {
            b.addMethod(m);
        }
        b.addMethod(MEMBER_PROMOTE, ServerCalls.asyncUnaryCall(
                (MemberRemoveRequest req, StreamObserver<MemberListResponse> obs) -> Answer.with(obs, () -> {
                    auth.admin(Caller.user());
                    return membership.promote(req);
                })));
        ServerServiceDefinition all = b.build();
        return () -> all;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        Answer.with(observer, membership::list);
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> observer) {
        Answer.with(observer, () -> {
            auth.admin(Caller.user());
            return membership.add(request);
        });
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> observer) {
        Answer.with(observer, () -> {
            auth.admin(Caller.user());
            return membership.remove(request);
        });
    }

    @Override
    public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> observer) {
        Answer.with(observer, () -> {
            auth.admin(Caller.user());
            return membership.update(request);
        });
    }
}
