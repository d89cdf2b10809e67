package io.metastore.server.concurrency;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd's lock and election services through jetcd's clients. */
class LockElectionTest {
    @TempDir
    Path dir;
    MetaStoreServer server;
    Client client;

    @BeforeEach
    void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        client = TestServers.client(server.grpcPort());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void theLockIsMutuallyExclusiveUnderContention() throws Exception {
        Lock lock = client.getLockClient();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger entries = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 5; i++) {
                        long lease = client.getLeaseClient().grant(30).get(10, TimeUnit.SECONDS).getID();
                        ByteSequence key = lock.lock(bs("mutex"), lease).get(30, TimeUnit.SECONDS).getKey();
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        entries.incrementAndGet();
                        Thread.sleep(5);
                        inside.decrementAndGet();
                        lock.unlock(key).get(10, TimeUnit.SECONDS);
                        client.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertEquals(20, entries.get());
        assertEquals(0, overlaps.get());
    }

    @Test
    void anExpiredLeaseReleasesTheLock() throws Exception {
        Lock lock = client.getLockClient();
        long short1 = client.getLeaseClient().grant(2).get().getID();
        lock.lock(bs("l2"), short1).get(10, TimeUnit.SECONDS);
        long other = client.getLeaseClient().grant(30).get().getID();
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> waiting = lock.lock(bs("l2"), other);
        assertFalse(waiting.isDone());
        assertTrue(waiting.get(20, TimeUnit.SECONDS).getKey().toString(StandardCharsets.UTF_8).startsWith("l2/"));
    }

    @Test
    void electionsCampaignProclaimObserveAndResign() throws Exception {
        Election election = client.getElectionClient();
        long l1 = client.getLeaseClient().grant(30).get().getID();
        long l2 = client.getLeaseClient().grant(30).get().getID();
        ExecutionException none = assertThrows(ExecutionException.class, () -> election.leader(bs("e")).get(10, TimeUnit.SECONDS));
        assertTrue(none.getCause() instanceof io.etcd.jetcd.election.NoLeaderException, "jetcd recognises etcd's text: " + none.getCause());

        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        election.observe(bs("e"), new Election.Listener() {
            public void onNext(LeaderResponse r) {
                seen.add(r.getKv().getValue().toString(StandardCharsets.UTF_8));
            }

            public void onError(Throwable t) {
            }

            public void onCompleted() {
            }
        });
        LeaderKey first = election.campaign(bs("e"), l1, bs("one")).get(10, TimeUnit.SECONDS).getLeader();
        assertEquals("one", seen.poll(10, TimeUnit.SECONDS));
        CompletableFuture<io.etcd.jetcd.election.CampaignResponse> second = election.campaign(bs("e"), l2, bs("two"));
        election.proclaim(first, bs("uno")).get(10, TimeUnit.SECONDS);
        assertEquals("uno", seen.poll(10, TimeUnit.SECONDS));
        assertEquals("uno", election.leader(bs("e")).get().getKv().getValue().toString(StandardCharsets.UTF_8));
        assertFalse(second.isDone());
        election.resign(first).get(10, TimeUnit.SECONDS);
        LeaderKey next = second.get(10, TimeUnit.SECONDS).getLeader();
        assertEquals("two", seen.poll(10, TimeUnit.SECONDS));
        ExecutionException notLeader = assertThrows(ExecutionException.class,
                () -> election.proclaim(first, bs("stale")).get(10, TimeUnit.SECONDS));
        assertTrue(notLeader.getCause() instanceof io.etcd.jetcd.election.NotLeaderException, "jetcd recognises etcd's text: " + notLeader.getCause());
        assertEquals(next.getKey(), election.leader(bs("e")).get().getKv().getKey());
    }
}
