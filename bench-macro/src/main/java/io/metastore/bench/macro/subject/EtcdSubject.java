package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.List;

/** etcd itself, started from its binary with a temporary data dir and free ports. */
public record EtcdSubject(String binary) implements Subject {
    @Override
    public String id() {
        return "etcd";
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
        int client = Ports.free();
        int peer = Ports.free();
        Path dataDir = work.resolve("data");
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        List<String> command = List.of(binary, "--name", "bench", "--data-dir", dataDir.toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "bench=" + peerUrl, "--initial-cluster-state", "new",
                "--log-level", "warn");
        return ManagedProcess.start(command, work, dataDir, "127.0.0.1", client, false, null);
    }
}
