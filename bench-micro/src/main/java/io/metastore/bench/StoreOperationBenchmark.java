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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MVCC store's request operations on each engine, with the store's default (Tier 1)
 * options. The baseline is {@code engine=memory-global}. Each measurement iteration starts from
 * a freshly built store holding 1,000 keys (10 prefixes of 100) written twice, so history grows
 * only within an iteration and the puts of one iteration do not slow the reads of the next.
 *
 * <ul>
 *   <li>{@link #put} — one put of a 64-byte value as its own write transaction;</li>
 *   <li>{@link #rangeKey} — read one key;</li>
 *   <li>{@link #rangePrefix100} — read the 100 keys of one prefix;</li>
 *   <li>{@link #rangeKeyAtPastRevision} — read one key at the revision after the first load pass,
 *       which holds an older version of it;</li>
 *   <li>{@link #txn} — a compare-and-swap: read a key's version, put two keys, commit.</li>
 * </ul>
 * This class runs single-threaded; {@link Contended} runs the same methods on 4 threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Threads(1)
public class StoreOperationBenchmark {

    @State(Scope.Benchmark)
    public static class Store {
        @Param({"memory-global", "memory-sharded", "rocksdb"})
        public String engine;

        final byte[][] keys = StoreFixture.keys();
        final byte[] value = CommandShapes.bytes(new java.util.SplittableRandom(7), 64);
        final byte[][][] prefixes = new byte[StoreFixture.PREFIXES][][];
        final AtomicLong appliedIndex = new AtomicLong();
        StoreFixture fixture;
        long pastRevision;

        @Setup(Level.Iteration)
        public void setUp() {
            for (int p = 0; p < prefixes.length; p++) {
                prefixes[p] = StoreFixture.prefixRange(p);
            }
            fixture = StoreFixture.open(engine, StoreOptions.defaults());
            pastRevision = fixture.preload(keys, value, 2);
        }

        @TearDown(Level.Iteration)
        public void tearDown() {
            fixture.close();
        }
    }

    /** Each thread walks the key set from its own position, so threads touch different keys. */
    @State(Scope.Thread)
    public static class Cursor {
        private int next;

        @Setup
        public void setUp() {
            next = (int) (Thread.currentThread().getId() * 131 % StoreFixture.KEY_COUNT);
        }

        int nextKey() {
            int k = next;
            next = k + 1 == StoreFixture.KEY_COUNT ? 0 : k + 1;
            return k;
        }
    }

    @Benchmark
    public WriteResult put(Store s, Cursor c) {
        try (WriteTxn txn = s.fixture.store.beginWrite()) {
            txn.put(s.keys[c.nextKey()], s.value, 0, false, false);
            return txn.commit(s.appliedIndex.incrementAndGet());
        }
    }

    @Benchmark
    public RangeResult rangeKey(Store s, Cursor c) {
        return s.fixture.store.range(RangeQuery.key(s.keys[c.nextKey()]));
    }

    @Benchmark
    public RangeResult rangePrefix100(Store s, Cursor c) {
        byte[][] prefix = s.prefixes[c.nextKey() % StoreFixture.PREFIXES];
        return s.fixture.store.range(RangeQuery.of(prefix[0], prefix[1]));
    }

    @Benchmark
    public RangeResult rangeKeyAtPastRevision(Store s, Cursor c) {
        return s.fixture.store.range(RangeQuery.key(s.keys[c.nextKey()]).atRevision(s.pastRevision));
    }

    @Benchmark
    public WriteResult txn(Store s, Cursor c) {
        int k = c.nextKey();
        try (WriteTxn txn = s.fixture.store.beginWrite()) {
            RangeResult current = txn.range(RangeQuery.key(s.keys[k]));
            long version = current.kvs().isEmpty() ? 0 : current.kvs().get(0).version();
            byte[] other = s.keys[k + 1 == StoreFixture.KEY_COUNT ? 0 : k + 1];
            if (version > 0) {
                txn.put(s.keys[k], s.value, 0, false, false);
                txn.put(other, s.value, 0, false, false);
            }
            return txn.commit(s.appliedIndex.incrementAndGet());
        }
    }

    /** The same operations from 4 threads at once: the write lock and the engine's locking under contention. */
    @Threads(4)
    public static class Contended extends StoreOperationBenchmark {
    }
}
