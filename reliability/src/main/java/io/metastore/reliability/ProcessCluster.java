package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of server processes on loopback, on free ports, with data dirs under one directory.
 * One gRPC channel per member lives as long as the cluster; gRPC reconnects it after restarts.
 */
public final class ProcessCluster implements AutoCloseable {
    private final List<ServerProcess> members = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    /**
     * @param size  members
     * @param dir   parent of the members' data dirs and logs
     * @param extra options given to every member (e.g. {@code --storage memory})
     */
    public ProcessCluster(int size, Path dir, List<String> extra) {
        Path jar = ServerProcess.serverJar();
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            peers.add("127.0.0.1:" + freePort());
        }
        for (int i = 0; i < size; i++) {
            int grpc = freePort();
            Path data = dir.resolve("m" + (i + 1));
            List<String> args = new ArrayList<>(List.of("--member-id", String.valueOf(i + 1),
                    "--cluster", String.join(",", peers), "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0",
                    "--data-dir", data.toString()));
            args.addAll(extra);
            members.add(new ServerProcess(jar, args, data, dir.resolve("m" + (i + 1) + ".log"), grpc));
            channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build());
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The range end that makes {@code prefix} a prefix range (etcd's rule, {@link io.metastore.mvcc.Bytes#prefixEnd}). */
    static ByteString prefixEnd(ByteString prefix) {
        return ByteString.copyFrom(io.metastore.mvcc.Bytes.prefixEnd(prefix.toByteArray()));
    }

    public void startAll() {
        members.forEach(ServerProcess::start);
    }

    public int size() {
        return members.size();
    }

    public ServerProcess member(int i) {
        return members.get(i);
    }

    public ManagedChannel channel(int i) {
        return channels.get(i);
    }

    public StatusResponse status(int i, long timeoutMillis) {
        return MaintenanceGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    public HashKVResponse hashKV(int i, long revision) {
        return MaintenanceGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
    }

    /** A serializable (local) read of one key at a revision (0: current) on member i. */
    public RangeResponse localRead(int i, String key, long revision) {
        return KVGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setRevision(revision)
                        .setSerializable(true).build());
    }

    /** The member that says it is the leader (its Status names itself), or -1. */
    public int leader() {
        for (int i = 0; i < members.size(); i++) {
            if (!members.get(i).isServing()) {
                continue;
            }
            try {
                StatusResponse s = status(i, 2000);
                if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                    return i;
                }
            } catch (RuntimeException e) {
                // not answering: not the leader we can use
            }
        }
        return -1;
    }

    public int awaitLeader(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            int l = leader();
            if (l >= 0) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader within " + timeoutMillis + " ms");
            }
            sleep(200);
        }
    }

    /**
     * Waits until every member answers Status with the same revision and Raft index, twice in a
     * row 500 ms apart (no writes may be running), and returns that revision.
     */
    public long awaitConverged(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String last = null;
        String seen = "nothing";
        while (System.nanoTime() < deadline) {
            try {
                long rev = -1;
                long index = -1;
                boolean same = true;
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < members.size(); i++) {
                    StatusResponse s = status(i, 5000);
                    all.append(" m").append(i + 1).append(" rev ").append(s.getHeader().getRevision())
                            .append(" index ").append(s.getRaftIndex());
                    if (rev >= 0 && (rev != s.getHeader().getRevision() || index != s.getRaftIndex())) {
                        same = false;
                    }
                    rev = s.getHeader().getRevision();
                    index = s.getRaftIndex();
                }
                seen = all.toString();
                if (same && seen.equals(last)) {
                    return rev;
                }
                last = same ? seen : null;
            } catch (RuntimeException e) {
                last = null;
                seen = e.toString();
            }
            sleep(500);
        }
        throw new IllegalStateException("members did not converge within " + timeoutMillis + " ms; last seen:" + seen);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (ServerProcess m : members) {
            try {
                m.close();
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
    }
}
