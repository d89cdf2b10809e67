package io.metastore.server.watch;

import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.metastore.server.kv.Headers;

/**
 * etcd's {@code etcdserverpb.Watch} service: one bidirectional stream carries any number of
 * watchers. Each request is handed to the {@link WatchHub}, which answers on the stream.
 *
 * <p>As in etcd 3.4: a client may choose a watcher's id ({@code watch_id}) and ask for large
 * responses in fragments ({@code fragment}); an empty request is ignored; the client closing its side does not end the
 * stream, even when no watcher is left: it ends when the client cancels it or the member stops (grpc-gateway closes its
 * side after the create request and still wants the events).
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
    /** Whether the caller of a stream may watch a range (auth's read permission). */
    @FunctionalInterface
    public interface Permission {
        /** Why the caller may not watch the range, or {@code null} when it may. */
        io.metastore.server.error.EtcdError refusal(byte[] key, byte[] rangeEnd);
    }

    /**
     * etcd 3.4.23's cancel reason for a watch the caller may not create: the gRPC error's text as
     * Go prints it, {@code rpc error: code = PermissionDenied desc = etcdserver: permission denied}
     * (or InvalidArgument "user name is empty", Unauthenticated "invalid auth token").
     */
    static String cancelReason(io.metastore.server.error.EtcdError refusal) {
        return "rpc error: code = " + io.metastore.server.error.GrpcErrors.goName(refusal.code()) + " desc = "
                + refusal.message();
    }

    private final WatchHub hub;
    private final Headers headers;
    private final java.util.function.Supplier<Permission> callerPermission;

    public WatchService(WatchHub hub, Headers headers) {
        this(hub, headers, () -> (k, e) -> null);
    }

    /** {@code callerPermission} is asked once per stream, on the thread that opens it (where the caller is known). */
    public WatchService(WatchHub hub, Headers headers, java.util.function.Supplier<Permission> callerPermission) {
        this.hub = hub;
        this.headers = headers;
        this.callerPermission = callerPermission;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ServerCallStreamObserver<WatchResponse> out = (ServerCallStreamObserver<WatchResponse>) responses;
        WatchStream stream = hub.openStream(headers, out);
        Permission permission = callerPermission.get();
        out.setOnCancelHandler(() -> hub.closeStream(stream));
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest r) {
                switch (r.getRequestUnionCase()) {
                    case CREATE_REQUEST -> {
                        WatchCreateRequest c = r.getCreateRequest();
                        io.metastore.server.error.EtcdError refusal =
                                permission.refusal(c.getKey().toByteArray(), c.getRangeEnd().toByteArray());
                        if (refusal == null) {
                            create(stream, c);
                        } else {
                            // etcd answers a watch the caller may not read as created and at once cancelled
                            stream.appendControl(WatchResponse.newBuilder().setHeader(headers.at(hub.currentRevision()))
                                    .setWatchId(-1).setCreated(true).setCanceled(true)
                                    .setCancelReason(cancelReason(refusal)).build());
                        }
                    }
                    case CANCEL_REQUEST -> hub.cancel(stream, r.getCancelRequest().getWatchId());
                    case PROGRESS_REQUEST -> hub.progress(stream);
                    default -> { }
                }
                stream.requestNextWhenAnswered();
            }

            @Override
            public void onError(Throwable t) {
                hub.closeStream(stream);
            }

            @Override
            public void onCompleted() {
                // etcd keeps the stream open: its watchers go on streaming until the client cancels the RPC.
            }
        };
    }

    private void create(WatchStream stream, WatchCreateRequest c) {
        boolean noPut = false;
        boolean noDelete = false;
        for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
            noPut |= f == WatchCreateRequest.FilterType.NOPUT;
            noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
        }
        // watch_id (7) and fragment (8) are newer than the stubs: read as fields the stubs do not name.
        UnknownFieldSet.Field id = c.getUnknownFields().getField(Fragments.CREATE_WATCH_ID_FIELD);
        UnknownFieldSet.Field fragment = c.getUnknownFields().getField(Fragments.CREATE_FRAGMENT_FIELD);
        long requestedId = id.getVarintList().isEmpty() ? 0 : id.getVarintList().get(id.getVarintList().size() - 1);
        boolean fragmented = !fragment.getVarintList().isEmpty()
                && fragment.getVarintList().get(fragment.getVarintList().size() - 1) != 0;
        hub.watch(stream, requestedId, c.getKey().toByteArray(), c.getRangeEnd().toByteArray(), c.getStartRevision(),
                noPut, noDelete, c.getPrevKv(), c.getProgressNotify(), fragmented);
    }
}
