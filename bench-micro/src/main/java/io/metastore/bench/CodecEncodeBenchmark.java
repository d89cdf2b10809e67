package io.metastore.bench;

import io.metastore.codec.EntryCodec;
import io.metastore.codec.EntryCodecs;
import io.metastore.codec.KryoEntryCodec;
import io.metastore.command.Command;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of turning a command into a Raft entry, header included, per codec and command shape.
 * The baseline is {@code codec=json} (the seed's format); the seed claims the binary codecs
 * serialize 5-10x faster. {@link #encodeLegacyKryoBody} writes the headerless body older logs
 * hold. Run with {@code -prof gc} for allocation per entry ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecEncodeBenchmark {

    @Benchmark
    public byte[] encode(Entries entries, EntrySize size) {
        byte[] entry = entries.entryCodec.encode(entries.command);
        size.bytesPerEntry = entry.length;
        return entry;
    }

    @Benchmark
    public byte[] encodeLegacyKryoBody(LegacyEntries legacy, EntrySize size) {
        byte[] body = legacy.kryo.encodeBody(legacy.command);
        size.bytesPerEntry = body.length;
        return body;
    }

    /** One command of one shape, and the codec under test. */
    @State(Scope.Benchmark)
    public static class Entries {
        @Param({"json", "kryo", "protobuf"})
        public String codec;

        @Param({"put64", "put1k", "put16k", "txn", "leaseGrant", "batch100"})
        public String shape;

        EntryCodec entryCodec;
        Command command;
        byte[] entry;

        @Setup
        public void setUp() {
            entryCodec = EntryCodecs.byName(codec);
            command = CommandShapes.of(shape);
            entry = entryCodec.encode(command);
        }
    }

    /** The legacy format has one writer (Kryo), so its fixture carries only the shape. */
    @State(Scope.Benchmark)
    public static class LegacyEntries {
        @Param({"put64", "put1k", "put16k", "txn", "leaseGrant", "batch100"})
        public String shape;

        KryoEntryCodec kryo;
        Command command;
        byte[] body;

        @Setup
        public void setUp() {
            kryo = (KryoEntryCodec) EntryCodecs.byName("kryo");
            command = CommandShapes.of(shape);
            body = kryo.encodeBody(command);
        }
    }
}
