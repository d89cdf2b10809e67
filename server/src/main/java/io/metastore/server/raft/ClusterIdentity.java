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

    public static ClusterIdentity of(List<String> peers, String self) {
        long cluster = hash(String.join(",", peers.stream().sorted().toList()));
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
