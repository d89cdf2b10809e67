package io.metastore.bench;

import io.metastore.command.Command;
import io.metastore.command.Put;
import io.metastore.server.apply.Applied;
import io.metastore.server.propose.Proposal;
import io.metastore.server.propose.ProposalSink;
import io.metastore.server.propose.ProposalStrategy;
import io.metastore.server.propose.Proposer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of handing commands from request threads to Raft through each proposal strategy,
 * with a sink that completes every proposal at once: what is measured is the queue and the
 * proposer thread, not Raft. The baseline is {@code strategy=unbuffered}; the seed claims a
 * buffered channel gives 2-5x the throughput.
 *
 * <ul>
 *   <li>{@link #handOff} — the request thread's side only: returns once the proposer has taken
 *       the command (unbuffered) or queued it (buffered, batched), as an asynchronous gRPC
 *       handler does.</li>
 *   <li>{@link #proposeAndAwait} — propose and wait for the result, as a blocking caller does.</li>
 *   <li>{@link #proposeAndAwaitLatency} — the same, timed one call at a time (JMH's sample mode):
 *       the latency distribution, p50 to p99.9, of a proposal from propose to result.</li>
 * </ul>
 * This class runs one producer thread; {@link Producers4} and {@link Producers16} run the same
 * methods with 4 and 16.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class ProposalHandoffBenchmark {

    private static final Applied APPLIED = new Applied(null, null, List.of(), null);

    /** Completes every proposal as soon as the proposer thread delivers it. */
    private static final ProposalSink COMPLETE_AT_ONCE = proposals -> {
        for (Proposal p : proposals) {
            p.result().complete(APPLIED);
        }
    };

    @Param({"unbuffered", "buffered:1000", "batched:128:200", "batched:128:200:adaptive"})
    public String strategy;

    private Proposer proposer;
    private Command command;

    @Setup
    public void setUp() {
        // A generous wait: a producer blocks on a full queue rather than failing fast with
        // "too many requests", which would count failures as throughput.
        proposer = Proposer.create(ProposalStrategy.parse(strategy), COMPLETE_AT_ONCE, 60_000);
        command = Put.of(CommandShapes.key(1), new byte[64]);
    }

    @TearDown
    public void tearDown() {
        proposer.close();
    }

    @Benchmark
    public CompletableFuture<Applied> handOff() {
        return proposer.propose(command);
    }

    @Benchmark
    public Applied proposeAndAwait() {
        return proposer.propose(command).join();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Applied proposeAndAwaitLatency() {
        return proposer.propose(command).join();
    }

    /** The same benchmarks with 4 producer threads. */
    @Threads(4)
    public static class Producers4 extends ProposalHandoffBenchmark {
    }

    /** The same benchmarks with 16 producer threads: more than the machine's cores, as under load. */
    @Threads(16)
    public static class Producers16 extends ProposalHandoffBenchmark {
    }
}
