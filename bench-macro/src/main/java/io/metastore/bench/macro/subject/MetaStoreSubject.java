package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A single MetaStore member started from the runnable jar in its own JVM. */
public record MetaStoreSubject(ServerSpec spec, String storage, Path jar, List<String> jvmOptions)
        implements Subject {

    @Override
    public String id() {
        return Subject.safe(spec.name()) + "-" + storage;
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
        int grpc = Ports.free();
        int raft = Ports.free();
        Path dataDir = work.resolve("data");
        List<String> command = new ArrayList<>();
        command.add(Ports.javaBinary());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--data-dir", dataDir.toString(),
                "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0", "--cluster", "127.0.0.1:" + raft, "--storage", storage));
        command.addAll(spec.flags());
        return ManagedProcess.start(command, work, dataDir, "127.0.0.1", grpc, true, "metastore: member=");
    }
}
