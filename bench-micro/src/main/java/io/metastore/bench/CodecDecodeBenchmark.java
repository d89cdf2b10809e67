package io.metastore.bench;

import io.metastore.codec.EntryCodecs;
import io.metastore.codec.EntryDecoder;
import io.metastore.command.Command;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of reading a Raft entry back into a command the way a follower does: through
 * {@link EntryDecoder}, which dispatches on the header's codec id. The baseline is
 * {@code codec=json}. {@link #decodeWithCodec} hands the same entry straight to the codec that
 * wrote it, so the two differ only by the header check and dispatch. {@link #decodeLegacyKryoBody}
 * reads a headerless entry, the decoder's fallback path for logs written before the header
 * existed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecDecodeBenchmark {

    @Benchmark
    public Command decode(Decoder decoder, CodecEncodeBenchmark.Entries entries, EntrySize size) {
        size.bytesPerEntry = entries.entry.length;
        return decoder.decoder.decode(entries.entry);
    }

    @Benchmark
    public Command decodeWithCodec(CodecEncodeBenchmark.Entries entries, EntrySize size) {
        size.bytesPerEntry = entries.entry.length;
        return entries.entryCodec.decode(entries.entry);
    }

    @Benchmark
    public Command decodeLegacyKryoBody(Decoder decoder, CodecEncodeBenchmark.LegacyEntries legacy, EntrySize size) {
        size.bytesPerEntry = legacy.body.length;
        return decoder.decoder.decode(legacy.body);
    }

    @State(Scope.Benchmark)
    public static class Decoder {
        EntryDecoder decoder;

        @Setup
        public void setUp() {
            decoder = EntryCodecs.decoder();
        }
    }
}
