package io.metastore.server.member;

import io.metastore.command.MemberChange;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.WriteTxn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Which member id each Raft peer address has. etcd assigns a member its id once, when it is
 * added, and keeps it through peer URL updates, restarts and leader changes; jraft knows members
 * only by address, so the ids live in a map replicated through the log: committed
 * {@link MemberChange} entries change it, and it is kept as auxiliary records
 * {@code member/PEER} (an 8-byte big-endian id) committed with the entry's index, carried by
 * snapshots and read back after a restart.
 *
 * <p>An address without an entry has its <em>derived</em> id (from the cluster id and the
 * address, as every id was before the map existed), so the members of the initial
 * {@code --cluster}, and any data dir written before, keep the ids they always had. Entries
 * are written by Membership: a MemberAdd assigns a fresh random id before the configuration
 * change; a MemberUpdate assigns the member's id to the new address, changes the configuration,
 * then forgets the old address; a MemberRemove forgets the address after the change. For example,
 * with initial members A and B and a cluster id C:
 * <pre>
 *   start                      {}                 A: derived(C, A)  B: derived(C, B)
 *   add D (id 0x7f3a...)       {D: 7f3a}          D: 7f3a
 *   update D to E              {D: 7f3a, E: 7f3a} (then the configuration has E, not D)
 *   ... forget D               {E: 7f3a}          E: 7f3a
 *   update A to A2             {E: 7f3a, A2: derived(C, A)}
 *   remove E, forget E         {A2: derived(C, A)}
 * </pre>
 * A forget that never comes (the leader stepped down first) leaves an entry for an address that
 * is no longer a member; it is harmless, because ids are only ever looked up for the addresses
 * of the current configuration, and a member added there later gets an entry of its own.
 *
 * <p>A member's own id ({@link #self}) is the map's entry for its own address. A member that
 * joins with {@code --join} reports the derived id of its address until it has applied the
 * entry that assigned its id; from then on it reports the assigned one.
 *
 * <p>Threading: the apply thread changes the map ({@link #apply}, {@link #recover}); request
 * threads read an immutable copy.
 */
public final class MemberIds {
    private static final byte[] PREFIX = "member/".getBytes(StandardCharsets.US_ASCII);

    private final ToLongFunction<String> derived;
    private final String selfPeer;
    private final long selfDerived;
    private volatile Map<String, Long> assigned = Map.of();
    private volatile long self;

    /**
     * @param derived  the id of an address without an entry (the cluster id's derivation)
     * @param selfPeer this member's Raft peer address
     */
    public MemberIds(ToLongFunction<String> derived, String selfPeer) {
        this.derived = derived;
        this.selfPeer = selfPeer;
        this.selfDerived = derived.applyAsLong(selfPeer);
        this.self = selfDerived;
    }

    /** This member's id, as its response headers, Status and alarms report it. */
    public long self() {
        return self;
    }

    /** The id of the member at {@code peer}. */
    public long idOf(String peer) {
        Long id = assigned.get(peer);
        return id != null ? id : derived.applyAsLong(peer);
    }

    /** Which of {@code members} (peer addresses) has the id {@code id}. */
    public Optional<String> peerOf(long id, Collection<String> members) {
        for (String peer : members) {
            if (idOf(peer) == id) {
                return Optional.of(peer);
            }
        }
        return Optional.empty();
    }

    /**
     * A fresh id for a new member: non-zero, and neither the id of any of {@code members} nor one
     * still held by an entry of the map. etcd derives it from the peer URLs, the cluster and the
     * time; a random 64-bit number is as unique.
     */
    public long newId(Collection<String> members, LongSupplier random) {
        Set<Long> taken = new HashSet<>(assigned.values());
        members.forEach(p -> taken.add(idOf(p)));
        long id;
        do {
            id = random.getAsLong();
        } while (id == 0 || taken.contains(id));
        return id;
    }

    /** Reads the map back from the store (at start-up and after a snapshot replaced the store). */
    public void recover(MvccStore store) {
        Map<String, Long> out = new HashMap<>();
        store.scanAux(PREFIX, (k, v) -> {
            out.put(new String(k, PREFIX.length, k.length - PREFIX.length, StandardCharsets.UTF_8),
                    ByteBuffer.wrap(v).getLong());
            return true;
        });
        publish(out);
    }

    /** Applies an assignment or a forget inside {@code txn} (apply thread). */
    public void apply(WriteTxn txn, MemberChange c) {
        Map<String, Long> out = new HashMap<>(assigned);
        switch (c.action()) {
            case ASSIGN -> {
                if (c.memberId() == 0) {
                    throw new IllegalStateException("member id 0 assigned to " + c.peer());
                }
                out.put(c.peer(), c.memberId());
                txn.putAux(key(c.peer()), ByteBuffer.allocate(Long.BYTES).putLong(c.memberId()).array());
            }
            case FORGET -> {
                Long id = out.get(c.peer());
                if (id == null || id != c.memberId()) {
                    return; // reassigned since, or never assigned: nothing of this member to forget
                }
                out.remove(c.peer());
                txn.deleteAux(key(c.peer()));
            }
        }
        publish(out);
    }

    private void publish(Map<String, Long> map) {
        assigned = Map.copyOf(map);
        Long mine = map.get(selfPeer);
        self = mine != null ? mine : selfDerived;
    }

    private static byte[] key(String peer) {
        byte[] p = peer.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[PREFIX.length + p.length];
        System.arraycopy(PREFIX, 0, key, 0, PREFIX.length);
        System.arraycopy(p, 0, key, PREFIX.length, p.length);
        return key;
    }
}
