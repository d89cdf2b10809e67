package io.metastore.server.raft;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The cluster id and a member id. Like etcd's, the cluster id is derived from the initial peer
 * addresses, so every member computes the same one. {@link #memberId} is the <em>derived</em>
 * id of a peer address: the id of the members of the initial configuration (and of any address
 * the replicated map {@code io.metastore.server.member.MemberIds} has no entry for). A member
 * added later gets an assigned id instead, which stays its own when its address changes.
 */
public record ClusterIdentity(long clusterId, long memberId) {
    /** etcd's default {@code --initial-cluster-token}. */
    public static final String DEFAULT_TOKEN = "etcd-cluster";

    public static ClusterIdentity of(List<String> peers, String self) {
        return of(peers, DEFAULT_TOKEN, self);
    }

    /**
     * The identity derived from the initial peers and etcd's {@code --initial-cluster-token}, which
     * etcd mixes into its ids so that two clusters bootstrapped on the same peer URLs differ. etcd's
     * default token leaves the derivation as it was before the token existed.
     */
    public static ClusterIdentity of(List<String> peers, String token, String self) {
        String sorted = String.join(",", peers.stream().sorted().toList());
        long cluster = hash(token.equals(DEFAULT_TOKEN) ? sorted : sorted + "/" + token);
        return new ClusterIdentity(cluster, memberId(cluster, self));
    }

    /** The derived id of a member at {@code peer} in the cluster {@code clusterId}. */
    public static long memberId(long clusterId, String peer) {
        return hash(peer + "/" + Long.toHexString(clusterId));
    }

    private static long hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v == 0 ? 1 : v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
