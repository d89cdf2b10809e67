package io.metastore.server.member;

import io.metastore.command.MemberChange;
import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.StoreOptions;
import io.metastore.mvcc.WriteTxn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemberIdsTest {
    private static final String SELF = "10.0.0.1:2380";

    private final MvccStore store = new MvccStore(new MemoryEngine(MemoryEngine.Locking.GLOBAL), StoreOptions.defaults());
    private final MemberIds ids = new MemberIds(MemberIdsTest::derived, SELF);
    private long index;

    /** A stand-in for the cluster id's derivation, easy to recognise in failures. */
    private static long derived(String peer) {
        return 1000 + peer.hashCode() % 1000;
    }

    private void apply(MemberChange.Action action, String peer, long id) {
        try (WriteTxn txn = store.beginWrite()) {
            ids.apply(txn, new MemberChange(action, peer, id));
            txn.commit(++index);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void anAddressWithoutAnEntryHasItsDerivedId() {
        assertEquals(derived(SELF), ids.self());
        assertEquals(derived("10.0.0.2:2380"), ids.idOf("10.0.0.2:2380"));
    }

    @Test
    void anAssignedIdFollowsTheMemberToItsNewAddressAndAForgetOfTheOldOneKeepsIt() {
        apply(MemberChange.Action.ASSIGN, "10.0.0.4:2380", 0x7f3a);
        apply(MemberChange.Action.ASSIGN, "10.0.0.5:2380", 0x7f3a);
        apply(MemberChange.Action.FORGET, "10.0.0.4:2380", 0x7f3a);
        assertEquals(0x7f3a, ids.idOf("10.0.0.5:2380"));
        assertEquals(derived("10.0.0.4:2380"), ids.idOf("10.0.0.4:2380"));
        assertEquals(Optional.of("10.0.0.5:2380"), ids.peerOf(0x7f3a, List.of(SELF, "10.0.0.5:2380")));
        assertEquals(Optional.empty(), ids.peerOf(0x7f3a, List.of(SELF, "10.0.0.4:2380")));
    }

    @Test
    void aForgetOfAnIdNoLongerHeldLeavesTheNewerAssignment() {
        apply(MemberChange.Action.ASSIGN, "10.0.0.4:2380", 11);
        apply(MemberChange.Action.ASSIGN, "10.0.0.4:2380", 12);
        apply(MemberChange.Action.FORGET, "10.0.0.4:2380", 11);
        assertEquals(12, ids.idOf("10.0.0.4:2380"));
    }

    @Test
    void theOwnIdComesFromTheMapOnceAssignedAndComesBackAfterRecoveryAndFromASnapshot() throws Exception {
        apply(MemberChange.Action.ASSIGN, SELF, -5);
        apply(MemberChange.Action.ASSIGN, "10.0.0.9:2380", 9);
        assertEquals(-5, ids.self());

        MemberIds restarted = new MemberIds(MemberIdsTest::derived, SELF);
        restarted.recover(store);
        assertEquals(-5, restarted.self());
        assertEquals(9, restarted.idOf("10.0.0.9:2380"));

        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        store.snapshot(snapshot);
        try (MvccStore other = new MvccStore(new MemoryEngine(MemoryEngine.Locking.GLOBAL), StoreOptions.defaults())) {
            other.restore(new ByteArrayInputStream(snapshot.toByteArray()));
            MemberIds fromSnapshot = new MemberIds(MemberIdsTest::derived, SELF);
            fromSnapshot.recover(other);
            assertEquals(-5, fromSnapshot.self());
        }
    }

    @Test
    void aNewIdIsNeitherZeroNorTakenByAMemberOrAnEntry() {
        apply(MemberChange.Action.ASSIGN, "10.0.0.4:2380", 42);
        PrimitiveIterator.OfLong draws = LongStream.of(0, derived(SELF), 42, 43).iterator();
        assertEquals(43, ids.newId(List.of(SELF), draws::nextLong));
    }

    @Test
    void assigningIdZeroIsABrokenInvariant() {
        assertThrows(IllegalStateException.class, () -> apply(MemberChange.Action.ASSIGN, SELF, 0));
    }
}
