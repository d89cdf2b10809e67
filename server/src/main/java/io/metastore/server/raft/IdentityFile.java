package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.util.Endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the cluster id in the data dir ({@code cluster-id}, hex), so a member keeps its
 * cluster's id whatever {@code --cluster} says after membership changes. A bootstrapping
 * member derives it from the initial peers; a joining member asks the peers it was given.
 */
public final class IdentityFile {
    private static final String FILE = "cluster-id";

    private IdentityFile() {
    }

    /** The cluster id, with the derived member id of {@code self} (the replicated map may assign another). */
    public static ClusterIdentity load(Path dataDir, List<String> peers, String token, String self, boolean join,
                                       io.metastore.server.peer.PeerTransport transport) {
        Path file = dataDir.resolve(FILE);
        try {
            long clusterId;
            if (Files.exists(file)) {
                clusterId = Long.parseUnsignedLong(Files.readString(file, StandardCharsets.US_ASCII).trim(), 16);
            } else {
                clusterId = join ? askPeers(peers, self, transport) : ClusterIdentity.of(peers, token, self).clusterId();
                Files.writeString(file, Long.toHexString(clusterId) + "\n", StandardCharsets.US_ASCII);
            }
            return new ClusterIdentity(clusterId, ClusterIdentity.memberId(clusterId, self));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the cluster id in " + file + ": " + e.getMessage(), e);
        }
    }

    private static long askPeers(List<String> peers, String self, io.metastore.server.peer.PeerTransport transport) {
        RpcClient client = transport.client();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (String peer : peers) {
                    if (peer.equals(self)) {
                        continue;
                    }
                    String[] hp = peer.split(":");
                    try {
                        Object answer = client.invokeSync(new Endpoint(hp[0], Integer.parseInt(hp[1])),
                                MemberInfoRequest.getDefaultInstance(), 1000);
                        if (answer instanceof MemberInfo info && info.getClusterId() != 0) {
                            return info.getClusterId();
                        }
                    } catch (Exception e) {
                        // not up yet, or not reachable: try the next one
                    }
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.shutdown();
        }
        throw new IllegalStateException("cannot join: no other member of --cluster answered");
    }
}
