package io.metastore.server.maintenance;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListResponse;
import io.metastore.server.kv.Headers;
import io.metastore.server.raft.ClusterIdentity;
import io.metastore.server.raft.LeaderForwarder;
import io.metastore.server.raft.MemberInfo;
import io.metastore.server.raft.RaftNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Cluster view of the Raft configuration: every voter and learner with its id (derived
 * from the cluster id and its peer address), and the name and client URL it reports about
 * itself. A member that does not answer is listed without them, as etcd lists an unstarted
 * member.
 */
public final class Membership {
    private static final long INFO_TIMEOUT_MS = 1000;

    private final RaftNode raft;
    private final LeaderForwarder transport;
    private final Headers headers;
    private final java.util.function.Supplier<MemberInfo> self;
    private final String selfPeer;
    private final java.util.function.LongSupplier revision;

    public Membership(RaftNode raft, LeaderForwarder transport, Headers headers,
                      java.util.function.Supplier<MemberInfo> self, String selfPeer,
                      java.util.function.LongSupplier revision) {
        this.raft = raft;
        this.transport = transport;
        this.headers = headers;
        this.self = self;
        this.selfPeer = selfPeer;
        this.revision = revision;
    }

    public CompletableFuture<MemberListResponse> list() {
        List<CompletableFuture<Member>> members = new ArrayList<>();
        raft.peers().forEach(p -> members.add(member(p, false)));
        raft.learners().forEach(p -> members.add(member(p, true)));
        return CompletableFuture.allOf(members.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(headers.at(revision.getAsLong()));
            members.forEach(m -> b.addMembers(m.join()));
            return b.build();
        });
    }

    private CompletableFuture<Member> member(String peer, boolean learner) {
        Member.Builder m = Member.newBuilder()
                .setID(ClusterIdentity.memberId(headers.identity().clusterId(), peer))
                .addPeerURLs("http://" + peer)
                .setIsLearner(learner);
        CompletableFuture<Object> info = peer.equals(selfPeer) ? CompletableFuture.completedFuture(self.get())
                : transport.call(peer, new MemberInfo.Request(), INFO_TIMEOUT_MS);
        return info.handle((answer, error) -> {
            if (answer instanceof MemberInfo i) {
                m.setName(i.name()).addClientURLs(i.clientUrl());
            }
            return m.build();
        });
    }
}
