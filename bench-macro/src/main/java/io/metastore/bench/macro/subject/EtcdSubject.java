package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd itself, started from its binary with temporary data dirs and free ports: one member, or
 * {@code nodes} members of one cluster on loopback.
 */
public record EtcdSubject(String binary, int nodes) implements Subject {
    @Override
    public String id() {
        return "etcd" + Subject.nodesSuffix(nodes);
    }

    @Override
    public String kind() {
        return "etcd";
    }

    @Override
    public String config() {
        return "etcd";
    }

    @Override
    public String storage() {
        return "bbolt";
    }

    @Override
    public Endpoint start(Path work) throws Exception {
        List<Integer> client = new ArrayList<>();
        List<String> peerUrls = new ArrayList<>();
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            client.add(Ports.free());
            peerUrls.add("http://127.0.0.1:" + Ports.free());
            initial.add("m" + (i + 1) + "=" + peerUrls.get(i));
        }
        List<ClusterEndpoint.Launch> members = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path dataDir = work.resolve(nodes == 1 ? "data" : "data-" + (i + 1));
            String clientUrl = "http://127.0.0.1:" + client.get(i);
            List<String> command = List.of(binary, "--name", "m" + (i + 1), "--data-dir", dataDir.toString(),
                    "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                    "--listen-peer-urls", peerUrls.get(i), "--initial-advertise-peer-urls", peerUrls.get(i),
                    "--initial-cluster", String.join(",", initial), "--initial-cluster-state", "new",
                    "--log-level", "warn");
            members.add(new ClusterEndpoint.Launch(command, dataDir, client.get(i)));
        }
        return ClusterEndpoint.start(members, work, false, null);
    }
}
