package io.metastore.bench;

import io.metastore.mvcc.RangeQuery;
import io.metastore.mvcc.RangeResult;
import io.metastore.mvcc.StoreOptions;
import io.metastore.mvcc.WriteResult;
import io.metastore.mvcc.WriteTxn;
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
 * The store's Tier 1 switches, each turned on alone against the configuration it changes, on
 * the baseline memory engine and on RocksDB. Each {@code config} changes exactly one thing:
 *
 * <pre>
 *   config          options                                         compared with
 *   baseline        StoreOptions.baseline(): every switch off        -
 *   binaryEncoding  baseline + binary KeyValue encoding              baseline
 *   batchedWrites   baseline + one engine batch per transaction      baseline
 *   cachedRevision  baseline + current revision kept in memory       baseline
 *   pooledBuffers   binaryEncoding + exactly-sized pooled buffers    binaryEncoding
 *   tier1           StoreOptions.defaults(): all four on             baseline
 * </pre>
 * Pooled buffers only change the binary encoding's write path, so they are measured on top of it.
 * The seed claims batched writes make writes 2x faster.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class StoreOptionsBenchmark {

    @Param({"baseline", "binaryEncoding", "batchedWrites", "cachedRevision", "pooledBuffers", "tier1"})
    public String config;

    @Param({"memory-global", "rocksdb"})
    public String engine;

    private final byte[][] keys = StoreFixture.keys();
    private final byte[] value = CommandShapes.bytes(new SplittableRandom(13), 64);
    private StoreFixture fixture;
    private long appliedIndex;
    private int next;

    static StoreOptions options(String config) {
        StoreOptions base = StoreOptions.baseline();
        return switch (config) {
            case "baseline" -> base;
            case "binaryEncoding" -> base.withEncoding(StoreOptions.Encoding.BINARY);
            case "batchedWrites" -> base.withBatchedWrites(true);
            case "cachedRevision" -> base.withCachedRevision(true);
            case "pooledBuffers" -> base.withEncoding(StoreOptions.Encoding.BINARY).withPooledBuffers(true);
            case "tier1" -> StoreOptions.defaults();
            default -> throw new IllegalArgumentException("unknown config " + config);
        };
    }

    @Setup(Level.Iteration)
    public void setUp() {
        fixture = StoreFixture.open(engine, options(config));
        appliedIndex = fixture.preload(keys, value, 1);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        fixture.close();
    }

    private byte[] nextKey() {
        int k = next;
        next = k + 1 == keys.length ? 0 : k + 1;
        return keys[k];
    }

    /** A write transaction of one put, committed with the next applied index, as apply does. */
    @Benchmark
    public WriteResult put() {
        try (WriteTxn txn = fixture.store.beginWrite()) {
            txn.put(nextKey(), value, 0, false, false);
            return txn.commit(++appliedIndex);
        }
    }

    @Benchmark
    public RangeResult rangeKey() {
        return fixture.store.range(RangeQuery.key(nextKey()));
    }
}
