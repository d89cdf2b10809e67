package io.metastore.bench.runner;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A named group of benchmark classes, run together and written to one JSON file, with what the
 * summary compares: the {@code axis} parameter whose {@code baseline} value every other value is
 * measured against, and the seed's claims about it.
 */
enum Suite {
    CODEC("codec", "Entry codecs: encode, decode and round trip per command shape",
            "codec", "json", "io\\.metastore\\.bench\\.Codec(Encode|Decode|RoundTrip)Benchmark\\."),
    HANDOFF("handoff", "Proposal hand-off: request threads to the proposer thread",
            "strategy", "unbuffered", "io\\.metastore\\.bench\\.ProposalHandoffBenchmark\\."),
    STORE("store", "MVCC store operations per engine (Tier 1 defaults)",
            "engine", "memory-global", "io\\.metastore\\.bench\\.StoreOperationBenchmark\\."),
    COMPACTION("compaction", "Compaction of the whole history per engine",
            "engine", "memory-global", "io\\.metastore\\.bench\\.StoreCompactionBenchmark\\."),
    OPTIONS("options", "Tier 1 store switches, one at a time",
            "config", "baseline", "io\\.metastore\\.bench\\.StoreOptionsBenchmark\\."),
    LEASE("lease", "Lease expiry: finding expired leases per tick",
            "strategy", "scan", "io\\.metastore\\.bench\\.LeaseExpiryBenchmark\\."),
    METRICS("metrics", "Metrics: what recording costs a request",
            "record", "none", "io\\.metastore\\.bench\\.MetricsRecordBenchmark\\.");

    /** The codec benchmarks the seed's serialization claim is about: the codec at work, not the legacy path. */
    private static final Set<String> CODEC_CLAIMED = Set.of("encode", "decode", "decodeWithCodec",
            "roundTrip");

    final String id;
    final String title;
    final String axis;
    final String baseline;
    final String include;

    Suite(String id, String title, String axis, String baseline, String include) {
        this.id = id;
        this.title = title;
        this.axis = axis;
        this.baseline = baseline;
        this.include = include;
    }

    /** Whether the suite runs with JMH's gc profiler by default: the codecs' allocation per entry is part of their comparison. */
    boolean allocationProfiled() {
        return this == CODEC;
    }

    /**
     * The axis value {@code value} is compared with. Every alternative is compared with the
     * suite's baseline, except pooled buffers, which only change the binary encoding and so are
     * compared with binary encoding alone (one switch at a time).
     */
    String referenceFor(String value) {
        if (this == OPTIONS && value.equals("pooledBuffers")) {
            return "binaryEncoding";
        }
        return baseline;
    }

    /** The seed's claim about {@code value} against its reference in benchmark {@code method}, or null. */
    Claim claimFor(String method, String value) {
        return switch (this) {
            case CODEC -> (value.equals("kryo") || value.equals("protobuf")) && CODEC_CLAIMED.contains(method)
                    ? new Claim("5-10x serialization speed (binary codecs vs JSON)", 5, 10) : null;
            case HANDOFF -> value.startsWith("buffered") && !method.endsWith("Latency")
                    ? new Claim("2-5x throughput (buffered channel vs unbuffered)", 2, 5) : null;
            case OPTIONS -> value.equals("batchedWrites") && method.equals("put")
                    ? new Claim("2x faster writes (WriteBatch vs separate writes)", 2, 2) : null;
            case LEASE -> value.equals("queue")
                    ? new Claim("100x faster lease expiry (priority queue vs scan)", 100, 100) : null;
            default -> null;
        };
    }

    static Suite byId(String id) {
        for (Suite s : values()) {
            if (s.id.equals(id.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown suite \"" + id + "\"; valid: " + ids() + ", all");
    }

    static String ids() {
        return Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", "));
    }

    /** {@code all} or a comma-separated list of suite ids. */
    static List<Suite> parse(String spec) {
        if (spec.equals("all")) {
            return List.of(values());
        }
        return Arrays.stream(spec.split(",")).map(String::trim).map(Suite::byId).toList();
    }

    /**
     * A claim of the seed's README: a speed-up range. A measurement is consistent with it when the
     * range of its measured ratios overlaps the claimed range, below or above it when the whole
     * measured range lies below or above.
     */
    record Claim(String text, double low, double high) {
        String verdict(double measuredLow, double measuredHigh) {
            if (Double.isNaN(measuredLow) || Double.isNaN(measuredHigh)) {
                return "n/a";
            }
            if (measuredHigh < low) {
                return "below the claim";
            }
            if (measuredLow > high) {
                return "above the claim";
            }
            return "consistent";
        }
    }
}
