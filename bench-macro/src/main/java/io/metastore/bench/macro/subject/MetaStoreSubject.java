package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MetaStore started from the runnable jar: one member, or {@code nodes} members of one cluster
 * on loopback, each in its own JVM.
 */
public record MetaStoreSubject(ServerSpec spec, String storage, int nodes, Path jar, List<String> jvmOptions)
        implements Subject {

    @Override
    public String id() {
        return Subject.safe(spec.name()) + "-" + storage + Subject.nodesSuffix(nodes);
    }

    @Override
    public String kind() {
        return "metastore";
    }

    @Override
    public String config() {
        return spec.name();
    }

    @Override
    public Endpoint start(Path work) throws Exception {
        List<Integer> grpc = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            grpc.add(Ports.free());
            peers.add("127.0.0.1:" + Ports.free());
        }
        List<ClusterEndpoint.Launch> members = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path dataDir = work.resolve(nodes == 1 ? "data" : "data-" + (i + 1));
            List<String> command = new ArrayList<>();
            command.add(Ports.javaBinary());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString(), "--member-id", String.valueOf(i + 1),
                    "--data-dir", dataDir.toString(), "--grpc-addr", "127.0.0.1:" + grpc.get(i), "--port", "0",
                    "--cluster", String.join(",", peers), "--storage", storage));
            command.addAll(spec.flags());
            members.add(new ClusterEndpoint.Launch(command, dataDir, grpc.get(i)));
        }
        return ClusterEndpoint.start(members, work, true, "metastore: member=");
    }
}
