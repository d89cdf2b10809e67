package io.metastore.bench;

import io.metastore.mvcc.StoreOptions;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Time to compact a store's whole history at its current revision, logical and physical (the
 * future {@link io.metastore.mvcc.MvccStore#compact} returns is awaited), per engine and history
 * length. Every invocation gets a fresh store: {@code revisions} puts spread round-robin over a
 * fixed set of 100 keys, so all but the last 100 revisions are superseded and deleted. The
 * baseline is {@code engine=memory-global}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class StoreCompactionBenchmark {

    static final int KEY_SET = 100;

    @Param({"memory-global", "memory-sharded", "rocksdb"})
    public String engine;

    @Param({"1000", "10000", "100000"})
    public int revisions;

    private final byte[][] keys = StoreFixture.keys();
    private final byte[] value = CommandShapes.bytes(new SplittableRandom(11), 64);
    private StoreFixture fixture;

    @Setup(Level.Invocation)
    public void setUp() {
        fixture = StoreFixture.open(engine, StoreOptions.defaults());
        for (int i = 0; i < revisions; i++) {
            fixture.put(keys[i % KEY_SET], value);
        }
    }

    @TearDown(Level.Invocation)
    public void tearDown() {
        fixture.close();
    }

    @Benchmark
    public Void compact() {
        return fixture.store.compact(fixture.store.currentRevision(), 0).join();
    }
}
