package io.metastore.server.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.metastore.server.error.GrpcErrors;
import io.metastore.server.lease.RaftLease;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's {@code etcdserverpb.Lease} service. With auth enabled, listing leases and asking a
 * lease's time to live need a user, and the keys of a lease are shown only to a user who may
 * read them all (see {@link io.metastore.server.auth.Authorizer#authenticated}). The generated stub predates
 * {@code LeaseLeases}, so that method is added here by hand with its own wire format:
 * <pre>
 * LeaseLeasesRequest  {}
 * LeaseLeasesResponse { ResponseHeader header = 1; repeated LeaseStatus leases = 2; }
 * LeaseStatus         { int64 ID = 1; }
 * </pre>
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private final RaftLease lease;
    private final io.metastore.server.auth.Authorizer auth;

    LeaseService(RaftLease lease, io.metastore.server.auth.Authorizer auth) {
        this.lease = lease;
        this.auth = auth;
    }

    /** The whole service: the stub's four methods plus LeaseLeases. */
    static BindableService definition(RaftLease lease, io.metastore.server.auth.Authorizer auth) {
        LeaseService service = new LeaseService(lease, auth);
        ServerServiceDefinition stub = service.bindService();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(LeaseGrpc.SERVICE_NAME);
        for (ServerMethodDefinition<?, ?> m : stub.getMethods()) {
            b.addMethod(m);
        }
        b.addMethod(LEASE_LEASES, ServerCalls.asyncUnaryCall(service::leaseLeases));
        ServerServiceDefinition all = b.build();
        return () -> all;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
        Answer.with(observer, () -> lease.grant(request));
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
        Answer.with(observer, () -> {
            auth.leaseRevoke(Caller.user(), lease.keysOf(request.getID()));
            return lease.revoke(request);
        });
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
        Answer.with(observer, () -> {
            auth.authenticated(Caller.user());
            if (request.getKeys()) {
                auth.leaseKeys(Caller.user(), lease.keysOf(request.getID()));
            }
            return lease.timeToLive(request);
        });
    }

    /**
     * One stream renews many leases; answers go out one at a time, in completion order. When the
     * client closes its side, the stream ends once every renewal it sent has been answered (etcd
     * answers each request before reading the next, so nothing is dropped there either).
     */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> observer) {
        return new StreamObserver<>() {
            // guarded by observer
            private int pending;
            private boolean halfClosed;
            private boolean ended;

            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                synchronized (observer) {
                    pending++;
                }
                lease.keepAlive(request).whenComplete((resp, error) -> {
                    synchronized (observer) {
                        pending--;
                        if (ended) {
                            return;
                        }
                        if (error != null) {
                            ended = true;
                            observer.onError(GrpcErrors.toStatus(error));
                            return;
                        }
                        observer.onNext(resp);
                        if (halfClosed && pending == 0) {
                            ended = true;
                            observer.onCompleted();
                        }
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                synchronized (observer) {
                    ended = true;
                }
            }

            @Override
            public void onCompleted() {
                synchronized (observer) {
                    halfClosed = true;
                    if (pending == 0 && !ended) {
                        ended = true;
                        observer.onCompleted();
                    }
                }
            }
        };
    }

    void leaseLeases(LeasesRequest request, StreamObserver<LeasesResponse> observer) {
        try {
            auth.authenticated(Caller.user());
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        observer.onNext(new LeasesResponse(lease.headers().at(lease.currentRevision()), lease.leases()));
        observer.onCompleted();
    }

    record LeasesRequest() {
    }

    record LeasesResponse(ResponseHeader header, List<Long> ids) {
    }

    static final MethodDescriptor<LeasesRequest, LeasesResponse> LEASE_LEASES =
            MethodDescriptor.<LeasesRequest, LeasesResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(LeaseGrpc.SERVICE_NAME, "LeaseLeases"))
                    .setRequestMarshaller(new MethodDescriptor.Marshaller<>() {
                        @Override
                        public InputStream stream(LeasesRequest value) {
                            return new ByteArrayInputStream(new byte[0]);
                        }

                        @Override
                        public LeasesRequest parse(InputStream stream) {
                            return new LeasesRequest();
                        }
                    })
                    .setResponseMarshaller(new LeasesMarshaller())
                    .build();

    /** Writes and reads {@code LeaseLeasesResponse} in protobuf wire format. */
    static final class LeasesMarshaller implements MethodDescriptor.Marshaller<LeasesResponse> {
        @Override
        public InputStream stream(LeasesResponse value) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.writeMessage(1, value.header());
                for (long id : value.ids()) {
                    out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(1, id));
                    out.writeInt64(1, id);
                }
                out.flush();
                return new ByteArrayInputStream(bytes.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public LeasesResponse parse(InputStream stream) {
            try {
                CodedInputStream in = CodedInputStream.newInstance(stream);
                ResponseHeader header = ResponseHeader.getDefaultInstance();
                List<Long> ids = new ArrayList<>();
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    switch (com.google.protobuf.WireFormat.getTagFieldNumber(tag)) {
                        case 1 -> header = ResponseHeader.parseFrom(in.readBytes());
                        case 2 -> {
                            CodedInputStream status = in.readBytes().newCodedInput();
                            for (int t = status.readTag(); t != 0; t = status.readTag()) {
                                if (com.google.protobuf.WireFormat.getTagFieldNumber(t) == 1) {
                                    ids.add(status.readInt64());
                                } else {
                                    status.skipField(t);
                                }
                            }
                        }
                        default -> in.skipField(tag);
                    }
                }
                return new LeasesResponse(header, ids);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
