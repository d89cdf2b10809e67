package io.metastore.bench.macro.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load generator: {@code connections} gRPC channels (each its own HTTP/2
 * connection) spread round-robin over the target endpoints (channel i to target i mod n, as an
 * etcd client given several endpoints spreads its connections), {@code clients} logical
 * clients spread over the channels round-robin, each keeping
 * {@code inflight} requests outstanding and sending the next one when one completes — the
 * model of etcd's {@code benchmark} tool.
 *
 * <p>Threading: responses arrive on the Netty event loops ({@code directExecutor}), which record
 * the latency into one {@link Recorder} (wait-free) and issue the client's next request. A failed
 * request is retried after 1 ms from a scheduler, so an unreachable server is never spun on.
 */
public final class LoadDriver implements AutoCloseable {
    /** Latencies above a minute are clamped; nothing in a 10 s cell should come near it. */
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final EventLoopGroup group;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-retry");
        t.setDaemon(true);
        return t;
    });

    public LoadDriver(List<InetSocketAddress> targets, int connections) {
        this.group = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        for (int i = 0; i < connections; i++) {
            InetSocketAddress target = targets.get(i % targets.size());
            channels.add(NettyChannelBuilder.forAddress(target.getHostString(), target.getPort())
                    .usePlaintext()
                    .eventLoopGroup(group)
                    .channelType(NioSocketChannel.class)
                    .directExecutor()
                    .maxInboundMessageSize(16 * 1024 * 1024)
                    .build());
        }
    }

    public ManagedChannel channel(int client) {
        return channels.get(client % channels.size());
    }

    public int connections() {
        return channels.size();
    }

    /**
     * Runs {@code op} for {@code warmup}, then measures for {@code measure} with {@code probe}
     * read just before and just after; {@code afterMeasure} runs on the calling thread while the
     * load continues (the profiling window), then the load stops and in-flight requests drain.
     */
    public Measurement runTimed(int clients, int inflight, ClientOp op, Duration warmup, Duration measure,
                                WindowProbe probe, Runnable afterMeasure) throws InterruptedException {
        Loop loop = new Loop(clients, inflight, op, Long.MAX_VALUE);
        long start = System.nanoTime();
        List<Long> perSecond = new ArrayList<>();
        loop.start();
        sampleUntil(loop, start, start + warmup.toNanos(), perSecond);
        probe.opening();
        loop.recorder.getIntervalHistogram(); // discard the warm-up
        long errorsBefore = loop.errors.sum();
        long t0 = System.nanoTime();
        sampleUntil(loop, start, t0 + measure.toNanos(), perSecond);
        Histogram h = loop.recorder.getIntervalHistogram();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long errors = loop.errors.sum() - errorsBefore;
        probe.closed();
        try {
            afterMeasure.run();
        } finally {
            loop.stopAndDrain();
        }
        return Measurement.of(h, errors, loop.firstError.get(), seconds,
                Map.of(Measurement.OPS_PER_SECOND, List.copyOf(perSecond)));
    }

    /**
     * Sleeps until {@code until}, appending to {@code perSecond} the requests completed in each
     * whole second since {@code start} that ends by then: the load's time line from its first request.
     */
    private static void sampleUntil(Loop loop, long start, long until, List<Long> perSecond) throws InterruptedException {
        while (true) {
            long next = start + (perSecond.size() + 1) * 1_000_000_000L;
            long now = System.nanoTime();
            if (next > until) {
                if (until > now) {
                    TimeUnit.NANOSECONDS.sleep(until - now);
                }
                return;
            }
            if (next > now) {
                TimeUnit.NANOSECONDS.sleep(next - now);
            }
            long done = loop.completed.sum();
            perSecond.add(done - loop.sampled);
            loop.sampled = done;
        }
    }

    /**
     * Issues exactly {@code total} successful-or-failed requests as fast as the clients go
     * (preloading data, or writing the compaction workload's revisions) and returns them measured.
     */
    public Measurement runCount(int clients, int inflight, ClientOp op, long total) throws InterruptedException {
        Loop loop = new Loop(clients, inflight, op, total);
        long t0 = System.nanoTime();
        loop.start();
        loop.drained.await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return Measurement.of(loop.recorder.getIntervalHistogram(), loop.errors.sum(), loop.firstError.get(), seconds,
                Map.of());
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
        retries.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private final class Loop {
        final Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
        final LongAdder errors = new LongAdder();
        final LongAdder completed = new LongAdder();
        /** {@code completed} when the time line last sampled it (touched by the sampling thread only). */
        long sampled;
        final AtomicReference<String> firstError = new AtomicReference<>();
        final CountDownLatch drained;
        final AtomicLong remaining;
        final int clients;
        final int inflight;
        final ClientOp op;
        volatile boolean running = true;

        Loop(int clients, int inflight, ClientOp op, long budget) {
            this.clients = clients;
            this.inflight = inflight;
            this.op = op;
            this.remaining = new AtomicLong(budget);
            this.drained = new CountDownLatch(clients * inflight);
        }

        void start() {
            for (int slot = 0; slot < inflight; slot++) {
                for (int c = 0; c < clients; c++) {
                    issue(c);
                }
            }
        }

        void stopAndDrain() throws InterruptedException {
            running = false;
            if (!drained.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests still in flight 30 s after the load stopped");
            }
        }

        void issue(int client) {
            if (!running || remaining.getAndDecrement() <= 0) {
                drained.countDown();
                return;
            }
            long t0 = System.nanoTime();
            op.issue(client, new Completion() {
                @Override
                public void succeeded() {
                    recorder.recordValue(Math.min(HIGHEST_NANOS, System.nanoTime() - t0));
                    completed.increment();
                    issue(client);
                }

                @Override
                public void failed(Throwable error) {
                    errors.increment();
                    firstError.compareAndSet(null, String.valueOf(error));
                    retries.schedule(() -> issue(client), 1, TimeUnit.MILLISECONDS);
                }
            });
        }
    }
}
