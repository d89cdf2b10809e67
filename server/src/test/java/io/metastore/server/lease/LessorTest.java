package io.metastore.server.lease;

import io.metastore.command.LeaseGrant;
import io.metastore.command.LeaseRevoke;
import io.metastore.command.Put;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.RangeQuery;
import io.metastore.mvcc.StoreOptions;
import io.metastore.server.apply.Applier;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lease table on a clock the test moves, fed through the applier as the state machine feeds
 * it: both expiry strategies name the same leases at the same moments, and a lease past its
 * deadline is never renewed (etcd's renew waits for the revoke instead).
 */
class LessorTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    MvccStore store = new MvccStore(new MemoryEngine(MemoryEngine.Locking.SHARDED), StoreOptions.defaults());
    Lessor lessor;
    Applier applier;
    long index;

    void start(ExpiryTracker.Kind kind) {
        lessor = new Lessor(kind, now::get);
        applier = new Applier(store, new KvApplier(store, lessor::exists), lessor,
                new io.metastore.server.auth.AuthStore(System::nanoTime, 300),
                new io.metastore.server.alarm.Alarms(-1, () -> 0),
                new io.metastore.server.member.MemberIds(peer -> 8, "127.0.0.1:2380"));
        applier.leaderStarted();
    }

    void apply(io.metastore.command.Command c) {
        applier.apply(c, ++index).forEach(a -> assertFalse(a.isError(), () -> c + ": " + a));
    }

    void advanceSeconds(long s) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    List<Long> expired() {
        return lessor.takeExpired(100, TimeUnit.SECONDS.toNanos(3)).stream().map(Lease::id).sorted().toList();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(ExpiryTracker.Kind.class)
    void leasesExpireInDeadlineOrderAndARenewalMovesTheDeadline(ExpiryTracker.Kind kind) throws Exception {
        start(kind);
        apply(new LeaseGrant(1, 10));
        apply(new LeaseGrant(2, 5));
        apply(new LeaseGrant(3, 20));
        advanceSeconds(4);
        assertEquals(List.of(), expired());
        assertEquals(5, lessor.renew(2).get(), "renewed at t = 4, 1 s before its deadline");
        assertEquals(5, lessor.remainingSeconds(2));
        advanceSeconds(4); // t = 8: past lease 2's first deadline
        assertEquals(List.of(), expired());
        advanceSeconds(1); // t = 9
        assertEquals(List.of(2L), expired());
        advanceSeconds(1); // t = 10
        assertEquals(List.of(1L), expired());
        assertEquals(List.of(), expired(), "a named lease is not named again before the retry interval");
        advanceSeconds(3); // t = 13: neither revoke came, so both are named again
        assertEquals(List.of(1L, 2L), expired());
        assertEquals(7, lessor.remainingSeconds(3));
    }

    List<String> keysOf(long lease) {
        return lessor.get(lease).keys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
    }

    /** The lessor knows each key's lease itself (etcd's itemMap), so it does not need the writes to read previous versions. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aKeyLeavesItsLeaseWhenPutWithAnotherOrNoneOrDeletedWhetherOrNotWritesReadTheirPreviousVersion(boolean onDemand) {
        store = new MvccStore(new MemoryEngine(MemoryEngine.Locking.SHARDED), StoreOptions.defaults().withOnDemandPrevious(onDemand));
        start(ExpiryTracker.Kind.QUEUE);
        apply(new LeaseGrant(1, 100));
        apply(new LeaseGrant(2, 100));
        for (String k : List.of("a", "b", "c", "d")) {
            apply(new Put(b(k), b("v"), 1, false, false, false));
        }
        apply(new Put(b("a"), b("v2"), 2, false, false, false));
        apply(new Put(b("b"), b("v2"), 0, false, false, false));
        apply(new io.metastore.command.DeleteRange(b("c"), new byte[0], false));
        apply(new Put(b("d"), b("v2"), 0, false, false, true));
        assertEquals(List.of("d"), keysOf(1), "d kept its lease (ignore_lease)");
        assertEquals(List.of("a"), keysOf(2));

        lessor.recover(store);
        assertEquals(List.of("d"), keysOf(1), "rebuilt from the store alike");
        assertEquals(List.of("a"), keysOf(2));
        apply(new Put(b("a"), b("v3"), 1, false, false, false));
        assertEquals(List.of("a", "d"), keysOf(1));
        assertEquals(List.of(), keysOf(2), "and moved from the recovered table too");
        apply(new LeaseRevoke(1));
        assertEquals(1, store.range(RangeQuery.of(b("a"), b("e"))).count(), "only b, without a lease, is left");
    }

    @ParameterizedTest
    @EnumSource(ExpiryTracker.Kind.class)
    void aLeasePastItsDeadlineIsNotRenewedTheAnswerWaitsForItsRevoke(ExpiryTracker.Kind kind) throws Exception {
        start(kind);
        apply(new LeaseGrant(7, 5));
        apply(new Put(b("k"), b("v"), 7, false, false, false));
        advanceSeconds(5);
        assertEquals(List.of(7L), expired());
        assertEquals(0, lessor.remainingSeconds(7), "named for revoke: nothing left");

        CompletableFuture<Long> renewal = lessor.renew(7);
        assertFalse(renewal.isDone(), "etcd waits for the revoke of an expired lease");
        apply(new LeaseRevoke(7));
        assertTrue(renewal.isDone());
        assertEquals(0, renewal.get(), "answered as a lease that is gone, once its keys are");
        assertEquals(0, store.range(RangeQuery.key(b("k"))).count());

        // Even before the expiry loop names it, a lease past its deadline is not renewed.
        apply(new LeaseGrant(8, 5));
        advanceSeconds(6);
        CompletableFuture<Long> late = lessor.renew(8);
        assertFalse(late.isDone());
        assertEquals(0, lessor.remainingSeconds(8));
        assertEquals(List.of(8L), expired());
        apply(new LeaseRevoke(8));
        assertEquals(0, late.get());
    }

    @ParameterizedTest
    @EnumSource(ExpiryTracker.Kind.class)
    void aRenewalWaitingForARevokeFailsWithNotLeaderWhenLeadershipEnds(ExpiryTracker.Kind kind) throws Exception {
        start(kind);
        apply(new LeaseGrant(9, 5));
        advanceSeconds(5);
        assertEquals(List.of(9L), expired());
        CompletableFuture<Long> renewal = lessor.renew(9);
        applier.leaderStopped();
        ExecutionException e = assertThrows(ExecutionException.class, renewal::get);
        assertEquals(EtcdError.NOT_LEADER, GrpcErrors.etcdError(e.getCause()));
        assertEquals(EtcdError.NOT_LEADER, GrpcErrors.etcdError(
                assertThrows(ExecutionException.class, () -> lessor.renew(9).get()).getCause()));

        // Leading again, the lease has a fresh TTL (etcd's promotion rule) and can be renewed.
        applier.leaderStarted();
        assertEquals(5, lessor.remainingSeconds(9));
        assertEquals(List.of(), expired());
        assertEquals(5, lessor.renew(9).get());
    }
}
