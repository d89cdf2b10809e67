package io.metastore.bench.macro.subject;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The member processes of one cell (one for a single node, N for a cluster on loopback), all
 * started before any is waited on, since a cluster member cannot answer alone. The load goes to
 * the member that says it leads (its Status names itself), as a leader-aware client's would;
 * that member's JVM is the one profiled, and its start-up line the one reported. Closing stops
 * every member and deletes their data dirs.
 */
final class ClusterEndpoint implements Endpoint {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

    /** How to start one member: its command line, data dir and client port. */
    record Member(List<String> command, Path dataDir, int clientPort) {
    }

    private final List<ManagedProcess> members;
    private final ManagedProcess leader;

    private ClusterEndpoint(List<ManagedProcess> members, ManagedProcess leader) {
        this.members = members;
        this.leader = leader;
    }

    /**
     * Starts every member (output in {@code server.log}, or {@code server-<n>.log} for a cluster),
     * waits until each answers a linearizable Range, then finds the leader.
     */
    static Endpoint start(List<Member> specs, Path work, boolean jvm, String startupPrefix)
            throws IOException, InterruptedException {
        List<ManagedProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                Member m = specs.get(i);
                Path log = work.resolve(specs.size() == 1 ? "server.log" : "server-" + (i + 1) + ".log");
                started.add(ManagedProcess.launch(m.command(), work, log, m.dataDir(), "127.0.0.1", m.clientPort(), jvm,
                        startupPrefix));
            }
            for (ManagedProcess p : started) {
                p.awaitReady();
            }
            ManagedProcess leader = started.size() == 1 ? started.get(0) : awaitLeader(started);
            return new ClusterEndpoint(List.copyOf(started), leader);
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.forEach(ManagedProcess::close);
            throw e;
        }
    }

    private static ManagedProcess awaitLeader(List<ManagedProcess> members) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ManagedProcess m : members) {
                ManagedChannel ch = ManagedChannelBuilder.forAddress(m.host(), m.port()).usePlaintext().build();
                try {
                    StatusResponse s = MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .status(StatusRequest.getDefaultInstance());
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                        return m;
                    }
                } catch (RuntimeException e) {
                    // not answering yet: ask the next one
                } finally {
                    ch.shutdownNow();
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no member of the cluster said it leads within " + LEADER_TIMEOUT);
    }

    @Override
    public String host() {
        return leader.host();
    }

    @Override
    public int port() {
        return leader.port();
    }

    @Override
    public OptionalLong jvmPid() {
        return leader.jvmPid();
    }

    @Override
    public String startupLine() {
        return leader.startupLine();
    }

    @Override
    public void close() {
        members.forEach(ManagedProcess::close);
    }
}
