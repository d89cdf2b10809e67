package io.metastore.bench.macro;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.metastore.bench.macro.load.Keys;
import io.metastore.bench.macro.load.ProfileWindow;
import io.metastore.bench.macro.load.WindowProbe;
import io.metastore.bench.macro.load.Workload;
import io.metastore.bench.macro.load.WorkloadContext;
import io.metastore.bench.macro.subject.Endpoint;
import io.metastore.bench.macro.subject.Member;
import io.metastore.bench.macro.subject.MetaStoreSubject;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run of an {@code +aot} runtime (JDK 25's one-step AOT cache, JEP 514/515): the
 * subject's servers start recording, take the run's own workloads (all but compaction and idle)
 * for the training time with the load over every member, and write their caches as they exit. On a
 * cluster each workload runs twice, the leadership moved to another member in between, so the
 * member that led first has run both the leader's and a follower's code; its cache is the one
 * every member of the subject's cells starts from.
 */
final class AotTraining {
    private static final Duration EXIT_GRACE = Duration.ofMinutes(3);

    private final Duration time;
    private final int inflight;
    private final Keys keys;
    private final PrintStream out;

    AotTraining(Duration time, int inflight, Keys keys, PrintStream out) {
        this.time = time;
        this.inflight = inflight;
        this.keys = keys;
        this.out = out;
    }

    /** Trains {@code s} in a folder under {@code dir} and returns it with its cache (a file in {@code dir}). */
    MetaStoreSubject train(MetaStoreSubject s, List<Workload> workloads, Path dir) throws Exception {
        List<Workload> training = workloads.stream().filter(w -> w.sendsRequests() && !(w instanceof Workload.Compaction)).toList();
        if (training.isEmpty()) {
            training = List.of(Workload.named("put-100", 0, 0), Workload.named("range-lin", 0, 0));
        }
        Path work = Files.createTempDirectory(dir, "train-" + s.id() + "-");
        java.util.function.IntFunction<Path> cacheOf = i -> dir.resolve(s.id() + "-m" + i + ".aot");
        long t0 = System.nanoTime();
        int passes = s.nodes() > 1 ? 2 : 1;
        Duration each = time.dividedBy((long) training.size() * passes);
        int firstLeader;
        Endpoint ep = s.startTraining(work, cacheOf);
        try {
            List<Member> members = ep.members();
            firstLeader = indexOfLeader(members);
            List<InetSocketAddress> all = members.stream()
                    .map(m -> InetSocketAddress.createUnresolved(m.host(), m.port())).toList();
            for (int pass = 1; pass <= passes; pass++) {
                if (pass == 2) {
                    // the leader of the moment: under a cold start's load leadership may have moved since pass 1 began
                    Member to = members.get((firstLeader + 1) % members.size());
                    Member now = currentLeader(members);
                    if (now != to) {
                        moveLeader(now, to);
                    }
                }
                for (Workload w : training) {
                    w.run(new WorkloadContext(all, each, Duration.ofMillis(500), inflight, keys, WindowProbe.NONE,
                            ProfileWindow.NONE));
                }
            }
        } finally {
            ep.close(EXIT_GRACE);
        }
        Path cache = cacheOf.apply(firstLeader + 1);
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training run of " + s.id() + " wrote no AOT cache at " + cache
                    + "; see the logs in " + work);
        }
        out.printf("bench-macro: trained the AOT cache of %s in %d s (%s, %.0f MB, from member m%d)%n", s.id(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), training.stream().map(Workload::name).toList(),
                Files.size(cache) / 1e6, firstLeader + 1);
        return s.withAotCache(cache);
    }

    private static int indexOfLeader(List<Member> members) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).leader()) {
                return i;
            }
        }
        return 0;
    }

    /** Asks {@code leader} to hand the leadership to {@code to} (etcd's MoveLeader) and waits until {@code to} leads. */
    private static void moveLeader(Member leader, Member to) throws InterruptedException {
        long target = status(to).getHeader().getMemberId();
        ManagedChannel ch = ManagedChannelBuilder.forAddress(leader.host(), leader.port()).usePlaintext().build();
        try {
            MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(target).build());
        } finally {
            ch.shutdownNow();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            StatusResponse s = status(to);
            if (s.getLeader() == target) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("member " + to.name() + " did not lead within 30 s of MoveLeader");
    }

    /** The member that leads now, by its own Status; the first member when none says so. */
    private static Member currentLeader(List<Member> members) {
        for (Member m : members) {
            StatusResponse s = status(m);
            if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                return m;
            }
        }
        return members.get(0);
    }

    private static StatusResponse status(Member m) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress(m.host(), m.port()).usePlaintext().build();
        try {
            return MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
        } finally {
            ch.shutdownNow();
        }
    }
}
