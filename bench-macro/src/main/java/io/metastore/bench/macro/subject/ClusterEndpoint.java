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
 * started before any is waited on, since a cluster member cannot answer alone. Once every member
 * answers, each is asked for its Status: the one that names itself leader is the leader, the
 * others (which name another member) followers; where the load goes is the harness's choice
 * ({@link LoadTo}). The leader's JVM is the one whose flame graphs a cell names (the others are
 * recorded beside it), and its start-up line the one reported.
 * Closing stops every member and deletes their data dirs.
 */
final class ClusterEndpoint implements Endpoint {
    private static final Duration ROLES_TIMEOUT = Duration.ofSeconds(30);

    /** How to start one member: its command line, data dir and client port. */
    record Launch(List<String> command, Path dataDir, int clientPort) {
    }

    private final List<ManagedProcess> processes;
    private final ManagedProcess leader;
    private final List<Member> members;

    private final long readyMillis;

    private ClusterEndpoint(List<ManagedProcess> processes, int leader, long readyMillis) {
        this.processes = processes;
        this.readyMillis = readyMillis;
        this.leader = processes.get(leader);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            ManagedProcess p = processes.get(i);
            ms.add(new Member("m" + (i + 1), p.host(), p.port(), i == leader, OptionalLong.of(p.pid())));
        }
        this.members = List.copyOf(ms);
    }

    /**
     * Starts every member (output in {@code server.log}, or {@code server-<n>.log} for a cluster),
     * waits until each answers a linearizable Range, then learns who leads.
     */
    static Endpoint start(List<Launch> specs, Path work, boolean jvm, String startupPrefix)
            throws IOException, InterruptedException {
        List<ManagedProcess> started = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < specs.size(); i++) {
                Launch m = specs.get(i);
                Path log = work.resolve(specs.size() == 1 ? "server.log" : "server-" + (i + 1) + ".log");
                started.add(ManagedProcess.launch(m.command(), work, log, m.dataDir(), "127.0.0.1", m.clientPort(), jvm,
                        startupPrefix));
            }
            for (ManagedProcess p : started) {
                p.awaitReady();
            }
            int leader = started.size() == 1 ? 0 : awaitRoles(started);
            return new ClusterEndpoint(List.copyOf(started), leader, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.forEach(ManagedProcess::close);
            throw e;
        }
    }

    /**
     * Polls every member's Status until one says it leads and every other one names a leader
     * that is not itself; returns the leader's index.
     */
    private static int awaitRoles(List<ManagedProcess> members) throws InterruptedException {
        long deadline = System.nanoTime() + ROLES_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = -1;
            int followers = 0;
            for (int i = 0; i < members.size(); i++) {
                StatusResponse s = status(members.get(i));
                if (s == null || s.getLeader() == 0) {
                    break;
                }
                if (s.getLeader() == s.getHeader().getMemberId()) {
                    leader = leader == -1 ? i : -2; // two that say they lead: ask again
                } else {
                    followers++;
                }
            }
            if (leader >= 0 && followers == members.size() - 1) {
                return leader;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no member of the cluster said it leads (with all others following) within "
                + ROLES_TIMEOUT);
    }

    private static StatusResponse status(ManagedProcess m) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress(m.host(), m.port()).usePlaintext().build();
        try {
            return MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            return null; // not answering yet
        } finally {
            ch.shutdownNow();
        }
    }

    @Override
    public List<Member> members() {
        return members;
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
    public long readyMillis() {
        return readyMillis;
    }

    @Override
    public void close() {
        processes.forEach(ManagedProcess::close);
    }

    @Override
    public void close(Duration grace) {
        // SIGTERM to every member first, so they exit (and write what they write at exit) together.
        List<Thread> stopping = new ArrayList<>();
        for (ManagedProcess p : processes) {
            Thread t = new Thread(() -> p.close(grace), "stop-" + p.pid());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
