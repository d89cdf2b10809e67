package io.metastore.reliability;

import java.util.Random;

/** Injects one fault at a time into a {@link ProcessCluster} and records it. */
public final class Nemesis {
    private final ProcessCluster cluster;
    private final Random random;

    public Nemesis(ProcessCluster cluster, Random random) {
        this.cluster = cluster;
        this.random = random;
    }

    public Fault inject(Fault.Kind kind) {
        return switch (kind) {
            case KILL_LEADER -> killLeader();
            case KILL_FOLLOWER_WIPE -> killFollowerAndWipe();
            case PAUSE -> pause();
            case RESTART_ALL -> restartAll();
        };
    }

    Fault killLeader() {
        int l = cluster.awaitLeader(60_000);
        long start = System.nanoTime();
        cluster.member(l).kill();
        ProcessCluster.sleep(2000 + random.nextInt(2000));
        cluster.member(l).start();
        return new Fault(Fault.Kind.KILL_LEADER, l + 1, start, System.nanoTime());
    }

    Fault killFollowerAndWipe() {
        int l = cluster.awaitLeader(60_000);
        int f = (l + 1 + random.nextInt(cluster.size() - 1)) % cluster.size();
        long start = System.nanoTime();
        cluster.member(f).kill();
        cluster.member(f).wipe();
        ProcessCluster.sleep(1000 + random.nextInt(2000));
        cluster.member(f).start();
        return new Fault(Fault.Kind.KILL_FOLLOWER_WIPE, f + 1, start, System.nanoTime());
    }

    Fault pause() {
        // the leader half of the time: a paused leader is the interesting case (it comes back deposed)
        int m = random.nextBoolean() ? cluster.awaitLeader(60_000) : random.nextInt(cluster.size());
        long start = System.nanoTime();
        cluster.member(m).pause();
        ProcessCluster.sleep(3000 + random.nextInt(3000));
        cluster.member(m).resume();
        return new Fault(Fault.Kind.PAUSE, m + 1, start, System.nanoTime());
    }

    Fault restartAll() {
        long start = System.nanoTime();
        for (int i = 0; i < cluster.size(); i++) {
            cluster.member(i).kill();
        }
        ProcessCluster.sleep(1000);
        for (int i = 0; i < cluster.size(); i++) {
            cluster.member(i).start();
        }
        return new Fault(Fault.Kind.RESTART_ALL, 0, start, System.nanoTime());
    }
}
