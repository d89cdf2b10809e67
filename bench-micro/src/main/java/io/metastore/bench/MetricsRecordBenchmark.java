package io.metastore.bench;

import io.etcd.jetcd.api.KVGrpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.metastore.server.metrics.Metrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * What the metrics cost a request: nothing ({@code record=none}, the baseline), one counter
 * increment, one histogram observation, the gRPC tracer's whole life for one unary call
 * ({@code grpcCall}: created, started, one message in and out with sizes, closed OK), and
 * everything a leader records for one put that travels alone ({@code putLeader}: the gRPC call,
 * the entry's batch size and encoded size, the put counter, and the engine commit and log append
 * timings with their {@code System.nanoTime} pairs). {@code Contended} runs the same on two
 * threads sharing one registry, as request threads do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MetricsRecordBenchmark {
    private static final String PUT = "etcdserverpb.KV/Put";
    private static final Metadata HEADERS = new Metadata();

    @Param({"none", "counter", "histogram", "grpcCall", "putLeader"})
    public String record;

    private Metrics metrics;
    private DistributionDataPoint entryBytes;
    private Runnable body;

    @Setup
    public void setUp() {
        metrics = new Metrics();
        metrics.grpc().register(new KVGrpc.KVImplBase() { }.bindService());
        entryBytes = metrics.entryBytes("protobuf");
        body = switch (record) {
            case "none" -> () -> { };
            case "counter" -> metrics::put;
            case "histogram" -> () -> metrics.entryProposed(1);
            case "grpcCall" -> this::grpcCall;
            case "putLeader" -> this::putLeader;
            default -> throw new IllegalArgumentException(record);
        };
    }

    private void grpcCall() {
        ServerStreamTracer t = metrics.grpc().newServerStreamTracer(PUT, HEADERS);
        t.serverCallStarted((ServerStreamTracer.ServerCallInfo<?, ?>) null);
        t.inboundMessage(0);
        t.inboundWireSize(280);
        t.outboundMessage(0);
        t.outboundWireSize(40);
        t.streamClosed(Status.OK);
    }

    private void putLeader() {
        grpcCall();
        metrics.entryProposed(1);
        entryBytes.observe(300);
        metrics.put();
        long start = System.nanoTime();
        metrics.backendCommitted(System.nanoTime() - start);
        start = System.nanoTime();
        metrics.logAppended(System.nanoTime() - start);
    }

    @Benchmark
    public void record(Blackhole bh) {
        body.run();
        bh.consume(body);
    }

    /** The same on two threads sharing one member's metrics. */
    @Threads(2)
    public static class Contended extends MetricsRecordBenchmark {
    }
}
