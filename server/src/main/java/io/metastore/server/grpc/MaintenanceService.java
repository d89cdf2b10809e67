package io.metastore.server.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.EtcdException;
import io.metastore.server.error.GrpcErrors;
import io.metastore.server.maintenance.Maintenance;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** etcd's {@code etcdserverpb.Maintenance} service. */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private static final int CHUNK = 64 * 1024;

    private final Maintenance maintenance;
    private final io.metastore.server.auth.Authorizer auth;

    MaintenanceService(Maintenance maintenance, io.metastore.server.auth.Authorizer auth) {
        this.maintenance = maintenance;
        this.auth = auth;
    }

    /**
     * The root check of Defragment, Hash, HashKV and Snapshot. etcd 3.4.23's maintenance service
     * makes it itself ({@code authMaintenanceServer.isAuthenticated}) and returns the auth
     * package's error as it is, so the caller gets code Unknown with {@code auth: user name is
     * empty} or {@code auth: permission denied}, not the {@code etcdserver:} errors of other calls.
     */
    private void admin() {
        try {
            auth.admin(Caller.user());
        } catch (EtcdException e) {
            throw switch (e.error()) {
                case USER_EMPTY -> EtcdError.AUTH_PKG_USER_EMPTY.exception();
                case PERMISSION_DENIED -> EtcdError.AUTH_PKG_PERMISSION_DENIED.exception();
                default -> e;
            };
        }
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Answer.with(observer, () -> CompletableFuture.completedFuture(maintenance.status()));
    }

    @Override
    public void hash(HashRequest request, StreamObserver<HashResponse> observer) {
        Answer.with(observer, () -> {
            admin();
            return CompletableFuture.supplyAsync(maintenance::hash);
        });
    }

    @Override
    public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> observer) {
        Answer.with(observer, () -> {
            admin();
            return CompletableFuture.supplyAsync(() -> maintenance.hashKV(request.getRevision()));
        });
    }

    @Override
    public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> observer) {
        Answer.with(observer, () -> {
            admin();
            return CompletableFuture.supplyAsync(maintenance::defragment);
        });
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> observer) {
        Answer.with(observer, () -> {
            auth.admin(Caller.user());
            return maintenance.moveLeader(request.getTargetID());
        });
    }

    /** GET lists the raised alarms (filtered by member and type); ACTIVATE and DEACTIVATE go through the log. */
    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
        Answer.with(observer, () -> maintenance.alarm(Caller.user(), request));
    }

    /**
     * Streams a consistent copy of the store: written to a temporary file first (the store
     * writes it in one pass), then sent in 64 KiB chunks, each with the bytes still to come,
     * zero-padded to a whole number of 512-byte pages and ended — as etcd ends its snapshot
     * stream, and as etcdctl checks — by the SHA-256 of everything before it.
     */
    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> observer) {
        try {
            admin();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        CompletableFuture.runAsync(() -> {
            Path tmp = null;
            try {
                tmp = Files.createTempFile("metastore-snapshot", ".snap");
                java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                try (OutputStream out = new java.security.DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                    maintenance.snapshot(out);
                }
                // etcdctl recognises the trailing checksum by the length: a whole number of 512-byte pages, plus 32
                long pad = (512 - Files.size(tmp) % 512) % 512;
                sha.update(new byte[(int) pad]);
                Files.write(tmp, new byte[(int) pad], java.nio.file.StandardOpenOption.APPEND);
                Files.write(tmp, sha.digest(), java.nio.file.StandardOpenOption.APPEND);
                long remaining = Files.size(tmp);
                boolean first = true;
                try (InputStream in = Files.newInputStream(tmp)) {
                    byte[] buf = new byte[CHUNK];
                    int n;
                    while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                        remaining -= n;
                        SnapshotResponse.Builder b = SnapshotResponse.newBuilder()
                                .setRemainingBytes(remaining).setBlob(ByteString.copyFrom(buf, 0, n));
                        if (first) {
                            b.setHeader(maintenance.headers().at(maintenance.currentRevision()));
                            first = false;
                        }
                        observer.onNext(b.build());
                    }
                }
                observer.onCompleted();
            } catch (Exception e) {
                observer.onError(GrpcErrors.toStatus(e));
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (java.io.IOException ignored) {
                        // a temporary file; the OS cleans it up
                    }
                }
            }
        });
    }
}
