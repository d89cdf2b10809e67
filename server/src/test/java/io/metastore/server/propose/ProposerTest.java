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
            ProposalSink stuck = ps -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ps.forEach(p -> p.result().complete(OK));
            };
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
