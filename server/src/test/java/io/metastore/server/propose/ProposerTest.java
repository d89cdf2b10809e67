package io.metastore.server.propose;

import io.metastore.command.Batch;
import io.metastore.command.Put;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.EtcdException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strategies' hand-over and backpressure, against a sink that records what reaches it. */
class ProposerTest {

    static Put put(int i) {
        return Put.of(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    static final Applied OK = new Applied(null, null, List.of(), null);

    @Test
    void everyStrategyDeliversEveryCommandInOrderAndCompletesIt() throws Exception {
        for (String spec : List.of("unbuffered", "buffered:4", "batched:8:1000")) {
            List<List<Proposal>> entries = new CopyOnWriteArrayList<>();
            ProposalSink sink = ps -> {
                entries.add(ps);
                ps.forEach(p -> p.result().complete(OK));
            };
            try (Proposer proposer = Proposer.create(ProposalStrategy.parse(spec), sink, 1000)) {
                List<CompletableFuture<Applied>> fs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    fs.add(proposer.propose(put(i)));
                }
                for (CompletableFuture<Applied> f : fs) {
                    assertEquals(OK, f.get(10, TimeUnit.SECONDS));
                }
            }
            List<Put> delivered = entries.stream().flatMap(List::stream).map(p -> (Put) p.command()).toList();
            assertEquals(100, delivered.size(), spec);
            for (int i = 0; i < 100; i++) {
                assertEquals(put(i), delivered.get(i), spec);
            }
            if (spec.startsWith("batched")) {
                assertTrue(entries.stream().allMatch(e -> e.size() <= 8), "at most maxOps per entry");
            } else {
                assertTrue(entries.stream().allMatch(e -> e.size() == 1), spec + ": one command per entry");
            }
        }
    }

    @Test
    void batchedWaitsForMoreCommandsAndPacksThemIntoOneEntry() throws Exception {
        List<List<Proposal>> entries = new CopyOnWriteArrayList<>();
        ProposalSink sink = ps -> {
            entries.add(ps);
            ps.forEach(p -> p.result().complete(OK));
        };
        try (Proposer proposer = Proposer.create(ProposalStrategy.batched(4, 2_000_000), sink, 1000)) {
            List<CompletableFuture<Applied>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(proposer.propose(put(i)));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
        assertEquals(1, entries.size(), "four commands well within the delay make one entry");
        assertEquals(4, entries.get(0).size());
        assertEquals(4, new Batch(entries.get(0).stream().map(Proposal::command).toList()).commands().size());
    }

    @Test
    void aFullQueueFailsTheRequestWithTooManyRequests() throws Exception {
        for (String spec : List.of("unbuffered", "buffered:2")) {
            CountDownLatch release = new CountDownLatch(1);
            ProposalSink stuck = stuckUntil(release);
            try (Proposer proposer = Proposer.create(ProposalStrategy.parse(spec), stuck, 50)) {
                List<CompletableFuture<Applied>> fs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    fs.add(proposer.propose(put(i)));
                }
                ExecutionException e = assertThrows(ExecutionException.class, () -> fs.get(4).get(5, TimeUnit.SECONDS));
                EtcdException etcd = assertInstanceOf(EtcdException.class, e.getCause());
                assertEquals(EtcdError.TOO_MANY_REQUESTS, etcd.error());
                assertEquals("etcdserver: too many requests", etcd.getMessage());
                release.countDown();
            }
        }
    }

    @Test
    void batchedFailsWithTooManyRequestsOnceItsQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProposalStrategy strategy = ProposalStrategy.parse("batched:4:0");
        try (Proposer proposer = Proposer.create(strategy, stuckUntil(release), 50)) {
            List<CompletableFuture<Applied>> taken = new ArrayList<>();
            CompletableFuture<Applied> refused = null;
            for (int i = 0; i < strategy.capacity() + 100 && refused == null; i++) {
                CompletableFuture<Applied> f = proposer.propose(put(i));
                if (f.isCompletedExceptionally()) {
                    refused = f;
                } else {
                    taken.add(f);
                }
            }
            assertTrue(refused != null, "a full queue refused a command");
            ExecutionException e = assertThrows(ExecutionException.class, refused::get);
            assertEquals(EtcdError.TOO_MANY_REQUESTS, assertInstanceOf(EtcdException.class, e.getCause()).error());
            assertTrue(taken.size() >= strategy.capacity(), "the queue held " + taken.size() + " before refusing");
            release.countDown();
            for (CompletableFuture<Applied> f : taken) {
                assertEquals(OK, f.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void callersThatMustNotBlockReturnAtOnceAndStillGetBackpressure() throws Exception {
        for (String spec : List.of("unbuffered", "buffered:2")) {
            CountDownLatch release = new CountDownLatch(1);
            ProposalSink stuck = stuckUntil(release);
            try (Proposer proposer = Proposer.create(ProposalStrategy.parse(spec), stuck, 2000, false)) {
                List<CompletableFuture<Applied>> fs = new ArrayList<>();
                long began = System.nanoTime();
                for (int i = 0; i < 8; i++) {
                    fs.add(proposer.propose(put(i)));
                }
                // a blocking caller would have waited the full 2 s for the first command that found no room
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                assertTrue(tookMs < 1500, spec + ": proposing took " + tookMs + " ms");
                // which commands got in is up to the threads; some did, the rest were refused after the wait
                int refused = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // past the 2 s wait
                for (CompletableFuture<Applied> f : fs) {
                    try {
                        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException e) {
                        assertEquals(EtcdError.TOO_MANY_REQUESTS, ((EtcdException) e.getCause()).error(), spec);
                        refused++;
                    } catch (java.util.concurrent.TimeoutException stillQueued) {
                        // queued behind the stuck entry: released below
                    }
                }
                assertTrue(refused > 0, spec + ": nothing was refused");
                release.countDown();
                long ok = fs.stream().filter(f -> {
                    try {
                        return f.get(5, TimeUnit.SECONDS) == OK;
                    } catch (Exception e) {
                        return false;
                    }
                }).count();
                assertEquals(fs.size() - refused, ok, spec + ": every command not refused is applied");
            }
        }
    }

    /** A sink that holds its first entry until {@code release} opens, then applies what it holds. */
    private static ProposalSink stuckUntil(CountDownLatch release) {
        return ps -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ps.forEach(p -> p.result().complete(OK));
        };
    }

    @Test
    void closingFailsWhatIsStillQueued() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        ProposalSink stuck = ps -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Proposer proposer = Proposer.create(ProposalStrategy.buffered(10), stuck, 50);
        List<CompletableFuture<Applied>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(proposer.propose(put(i)));
        }
        proposer.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> fs.get(4).get(5, TimeUnit.SECONDS));
        assertEquals(EtcdError.STOPPED, ((EtcdException) e.getCause()).error());
        ExecutionException after = assertThrows(ExecutionException.class, () -> proposer.propose(put(9)).get());
        assertEquals(EtcdError.STOPPED, ((EtcdException) after.getCause()).error());
    }

    @Test
    void adaptiveBatchingSendsALoneCommandWithoutWaitingForCompany() throws Exception {
        List<List<Proposal>> entries = new CopyOnWriteArrayList<>();
        ProposalSink sink = ps -> {
            entries.add(ps);
            ps.forEach(p -> p.result().complete(OK));
        };
        // a delay of a minute: only the adaptive rule can deliver the lone command before the test's 10 s bound
        try (Proposer proposer = Proposer.create(ProposalStrategy.parse("batched:8:60000000:adaptive"), sink, 1000)) {
            assertEquals(OK, proposer.propose(put(1)).get(10, TimeUnit.SECONDS));
            assertEquals(1, entries.size());
            assertEquals("batched:8:60000000:adaptive", ProposalStrategy.parse("batched:8:60000000:adaptive").toString());
        }
    }
}
