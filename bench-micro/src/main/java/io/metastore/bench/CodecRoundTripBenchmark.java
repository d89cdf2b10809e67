package io.metastore.bench;

import io.metastore.command.Command;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A command's whole trip through a codec: encoded into a Raft entry by the leader, then read
 * back by the same codec, per codec and command shape (the fixture of
 * {@link CodecEncodeBenchmark.Entries}). The baseline is {@code codec=json}; the seed claims the
 * binary codecs serialize 5-10x faster. Run with {@code -prof gc} for allocation per trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecRoundTripBenchmark {

    @Benchmark
    public Command roundTrip(CodecEncodeBenchmark.Entries entries, EntrySize size) {
        byte[] entry = entries.entryCodec.encode(entries.command);
        size.bytesPerEntry = entry.length;
        return entries.entryCodec.decode(entry);
    }
}
