package io.metastore.bench;

import io.metastore.command.LeaseGrant;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.StoreOptions;
import io.metastore.mvcc.WriteTxn;
import io.metastore.server.lease.ExpiryTracker;
import io.metastore.server.lease.Lease;
import io.metastore.server.lease.Lessor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The leader's cost per expiry tick of finding expired leases: a full scan of every lease (the
 * seed's O(N), {@code strategy=scan}, the baseline) against a deadline-ordered queue
 * ({@code strategy=queue}), with {@code leases} granted and none due — the common tick, where
 * the scan still visits every lease and the queue only looks at its head.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LeaseExpiryBenchmark {

    @Param({"scan", "queue"})
    public String strategy;

    @Param({"1000", "10000", "100000"})
    public int leases;

    private MemoryEngine engine;
    private MvccStore store;
    private Lessor lessor;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new MemoryEngine(MemoryEngine.Locking.SHARDED);
        store = new MvccStore(engine, StoreOptions.defaults());
        lessor = new Lessor(ExpiryTracker.parse(strategy), System::nanoTime);
        lessor.promote();
        try (WriteTxn txn = store.beginWrite()) {
            for (int i = 1; i <= leases; i++) {
                lessor.grant(txn, new LeaseGrant(i, 3600));
            }
            txn.commit(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        engine.close();
    }

    @Benchmark
    public List<Lease> tick() {
        return lessor.takeExpired(500, TimeUnit.SECONDS.toNanos(3));
    }
}
