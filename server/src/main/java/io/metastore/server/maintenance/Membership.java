package io.metastore.server.maintenance;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.metastore.command.MemberChange;
import io.metastore.server.apply.Applied;
import io.metastore.server.config.ConfigLoader;
import io.metastore.server.error.EtcdError;
import io.metastore.server.kv.Headers;
import io.metastore.server.member.MemberIds;
import io.metastore.server.propose.Proposer;
import io.metastore.server.raft.ForwardProcessor;
import io.metastore.server.raft.ForwardRequest;
import io.metastore.server.raft.LeaderForwarder;
import io.metastore.server.raft.MemberInfo;
import io.metastore.server.raft.RaftNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * etcd's Cluster view of the Raft configuration: every voter and learner with its id (from the
 * replicated {@link MemberIds}), and the name and client URL it reports about itself — a member
 * that does not answer is listed without them, as etcd lists an unstarted member. Changes (add,
 * remove, update, promote) are jraft configuration changes made by the leader; followers
 * forward them. A new member is then started with {@code --join}.
 *
 * <p>Ids are kept as etcd keeps them: MemberAdd chooses a fresh id and replicates the
 * assignment before it changes the configuration, so every member that sees the new peer
 * can name it; MemberUpdate assigns the member's id to its new address first, changes the
 * configuration, then forgets the old address; MemberRemove forgets the address once the
 * configuration no longer has it. A forget is tidying only: when it cannot be proposed (this
 * member stopped leading, for instance by removing itself), the change has still happened and
 * the answer says so.
 */
public final class Membership {
    private static final long INFO_TIMEOUT_MS = 1000;
    /** etcd promotes a learner once its log is within 10% of the leader's. */
    private static final double READY_FRACTION = 0.9;

    private final RaftNode raft;
    private final LeaderForwarder transport;
    private final Headers headers;
    private final Supplier<MemberInfo> self;
    private final String selfPeer;
    private final LongSupplier revision;
    private final Proposer proposer;
    private final MemberIds ids;

    public Membership(RaftNode raft, LeaderForwarder transport, Headers headers, Supplier<MemberInfo> self,
                      String selfPeer, LongSupplier revision, Proposer proposer, MemberIds ids) {
        this.proposer = proposer;
        this.ids = ids;
        this.raft = raft;
        this.transport = transport;
        this.headers = headers;
        this.self = self;
        this.selfPeer = selfPeer;
        this.revision = revision;
    }

    /**
     * MemberList from this member's view, after a ReadIndex round when one succeeds in time, so
     * that a follower has applied every membership change the leader has answered (with no
     * leader it answers from what it has).
     */
    public CompletableFuture<MemberListResponse> list() {
        return raft.readIndex().handle((ok, error) -> ok)
                .completeOnTimeout(null, INFO_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .thenCompose(ignored -> listHere());
    }

    private CompletableFuture<MemberListResponse> listHere() {
        return members().thenApply(ms -> MemberListResponse.newBuilder()
                .setHeader(headers.at(revision.getAsLong())).addAllMembers(ms).build());
    }

    public CompletableFuture<MemberAddResponse> add(MemberAddRequest req) {
        return transport.route(() -> addHere(req), ForwardRequest.Kind.MEMBER_ADD, req, MemberAddResponse::parseFrom)
                .thenApply(headers::restamp);
    }

    public CompletableFuture<MemberRemoveResponse> remove(MemberRemoveRequest req) {
        return transport.route(() -> removeHere(req), ForwardRequest.Kind.MEMBER_REMOVE, req, MemberRemoveResponse::parseFrom)
                .thenApply(headers::restamp);
    }

    public CompletableFuture<MemberUpdateResponse> update(MemberUpdateRequest req) {
        return transport.route(() -> updateHere(req), ForwardRequest.Kind.MEMBER_UPDATE, req, MemberUpdateResponse::parseFrom)
                .thenApply(headers::restamp);
    }

    /** MemberPromote: its request and response have the wire shapes of MemberRemoveRequest and MemberListResponse. */
    public CompletableFuture<MemberListResponse> promote(MemberRemoveRequest req) {
        return transport.route(() -> promoteHere(req), ForwardRequest.Kind.MEMBER_PROMOTE, req, MemberListResponse::parseFrom)
                .thenApply(headers::restamp);
    }

    public void serveForwarded(ForwardProcessor processor) {
        processor.on(ForwardRequest.Kind.MEMBER_ADD, b -> addHere(MemberAddRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.MEMBER_REMOVE, b -> removeHere(MemberRemoveRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.MEMBER_UPDATE, b -> updateHere(MemberUpdateRequest.parseFrom(b)))
                .on(ForwardRequest.Kind.MEMBER_PROMOTE, b -> promoteHere(MemberRemoveRequest.parseFrom(b)));
    }

    // ------------------------------------------------------------------ on the leader

    CompletableFuture<MemberAddResponse> addHere(MemberAddRequest req) {
        if (req.getPeerURLsCount() != 1) {
            throw new IllegalArgumentException("exactly one peer URL is supported, got " + req.getPeerURLsList());
        }
        String peer = ConfigLoader.stripScheme(req.getPeerURLs(0));
        List<String> peers = new ArrayList<>(raft.peers());
        List<String> learners = new ArrayList<>(raft.learners());
        if (peers.contains(peer) || learners.contains(peer)) {
            throw EtcdError.PEER_URL_EXISTS.exception();
        }
        long id = ids.newId(members(peers, learners), ThreadLocalRandom.current()::nextLong);
        (req.getIsLearner() ? learners : peers).add(peer);
        Member added = Member.newBuilder().setID(id).addPeerURLs("http://" + peer).setIsLearner(req.getIsLearner()).build();
        return propose(new MemberChange(MemberChange.Action.ASSIGN, peer, id))
                .thenCompose(assigned -> changeAdding(peers, learners, peer, id))
                .thenCompose(done -> members()).thenApply(ms ->
                MemberAddResponse.newBuilder().setHeader(headers.at(revision.getAsLong())).setMember(added)
                        .addAllMembers(ms).build());
    }

    CompletableFuture<MemberRemoveResponse> removeHere(MemberRemoveRequest req) {
        List<String> peers = new ArrayList<>(raft.peers());
        List<String> learners = new ArrayList<>(raft.learners());
        String peer = find(req.getID(), peers, learners);
        peers.remove(peer);
        learners.remove(peer);
        return raft.changeConfiguration(peers, learners)
                .thenCompose(done -> forget(peer, req.getID()))
                .thenCompose(done -> members()).thenApply(ms ->
                MemberRemoveResponse.newBuilder().setHeader(headers.at(revision.getAsLong())).addAllMembers(ms).build());
    }

    CompletableFuture<MemberUpdateResponse> updateHere(MemberUpdateRequest req) {
        if (req.getPeerURLsCount() != 1) {
            throw new IllegalArgumentException("exactly one peer URL is supported, got " + req.getPeerURLsList());
        }
        List<String> peers = new ArrayList<>(raft.peers());
        List<String> learners = new ArrayList<>(raft.learners());
        String old = find(req.getID(), peers, learners);
        String now = ConfigLoader.stripScheme(req.getPeerURLs(0));
        if (!now.equals(old) && (peers.contains(now) || learners.contains(now))) {
            throw EtcdError.PEER_URL_EXISTS.exception();
        }
        if (now.equals(old)) {
            return members().thenApply(ms -> MemberUpdateResponse.newBuilder()
                    .setHeader(headers.at(revision.getAsLong())).addAllMembers(ms).build());
        }
        peers.replaceAll(p -> p.equals(old) ? now : p);
        learners.replaceAll(p -> p.equals(old) ? now : p);
        long id = req.getID();
        return propose(new MemberChange(MemberChange.Action.ASSIGN, now, id))
                .thenCompose(assigned -> changeAdding(peers, learners, now, id))
                .thenCompose(done -> forget(old, id))
                .thenCompose(done -> members()).thenApply(ms ->
                MemberUpdateResponse.newBuilder().setHeader(headers.at(revision.getAsLong())).addAllMembers(ms).build());
    }

    CompletableFuture<MemberListResponse> promoteHere(MemberRemoveRequest req) {
        List<String> peers = new ArrayList<>(raft.peers());
        List<String> learners = new ArrayList<>(raft.learners());
        String peer = find(req.getID(), peers, learners);
        if (!learners.contains(peer)) {
            throw EtcdError.MEMBER_NOT_LEARNER.exception();
        }
        long leaderIndex = raft.lastCommittedIndex();
        return transport.call(peer, io.metastore.server.raft.MemberInfoRequest.getDefaultInstance(), INFO_TIMEOUT_MS).handle((answer, error) -> {
            if (!(answer instanceof MemberInfo info) || info.getAppliedIndex() < READY_FRACTION * leaderIndex) {
                throw EtcdError.LEARNER_NOT_READY.exception();
            }
            return info;
        }).thenCompose(info -> {
            // jraft refuses a change whose old learners and new voters overlap: drop the learner, then add the voter
            learners.remove(peer);
            return raft.changeConfiguration(peers, learners);
        }).thenCompose(done -> {
            peers.add(peer);
            return changeAdding(peers, learners, peer, req.getID());
        }).thenCompose(done -> listHere());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A configuration change that adds {@code peer} (a voter or a learner) under {@code id}.
     * jraft commits it only once the new peer's replicator has had an AppendEntries answered
     * after the change began waiting for it to catch up; heartbeats do not count, and while the
     * peer answers them jraft waits again and again. On an idle cluster no such answer need come
     * (the replicator's first probe can be answered before the wait starts, or a learner's
     * replicator being promoted has nothing left to send): a MemberPromote on an idle cluster was
     * seen never to return. Proposing the peer's id assignment again, which changes nothing,
     * gives the replicator an entry to send once the change has started.
     */
    private CompletableFuture<Void> changeAdding(List<String> peers, List<String> learners, String peer, long id) {
        CompletableFuture<Void> change = raft.changeConfiguration(peers, learners);
        propose(new MemberChange(MemberChange.Action.ASSIGN, peer, id)).exceptionally(e -> null);
        return change;
    }

    private String find(long id, List<String> peers, List<String> learners) {
        return ids.peerOf(id, members(peers, learners)).orElseThrow(EtcdError.MEMBER_NOT_FOUND::exception);
    }

    private static List<String> members(List<String> peers, List<String> learners) {
        List<String> all = new ArrayList<>(peers);
        all.addAll(learners);
        return all;
    }

    private CompletableFuture<Applied> propose(MemberChange change) {
        return proposer.propose(change).thenApply(Applied::orThrow);
    }

    /** Drops {@code peer}'s entry if it still holds {@code id}; best effort (see the class comment). */
    private CompletableFuture<Void> forget(String peer, long id) {
        return propose(new MemberChange(MemberChange.Action.FORGET, peer, id))
                .handle((applied, error) -> null);
    }

    private CompletableFuture<List<Member>> members() {
        List<CompletableFuture<Member>> members = new ArrayList<>();
        raft.peers().forEach(p -> members.add(member(p, false)));
        raft.learners().forEach(p -> members.add(member(p, true)));
        return CompletableFuture.allOf(members.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> members.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<Member> member(String peer, boolean learner) {
        Member.Builder m = Member.newBuilder().setID(ids.idOf(peer)).addPeerURLs("http://" + peer).setIsLearner(learner);
        CompletableFuture<Object> info = peer.equals(selfPeer) ? CompletableFuture.completedFuture(self.get())
                : transport.call(peer, io.metastore.server.raft.MemberInfoRequest.getDefaultInstance(), INFO_TIMEOUT_MS);
        return info.handle((answer, error) -> {
            if (answer instanceof MemberInfo i) {
                m.setName(i.getName()).addAllClientURLs(i.getClientUrlsCount() > 0 ? i.getClientUrlsList()
                        : List.of(i.getClientUrl()));
            }
            return m.build();
        });
    }
}
