package io.metastore.bench.macro.subject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MetaStore started from the runnable jar: one member, or {@code nodes} members of one cluster
 * on loopback, each in its own JVM on {@code runtime}. With {@code runtimeInId} the runtime is
 * part of the id and the configuration's name ({@code tier3@jdk25-aot}), for runs that compare
 * runtimes; {@code aotCache} is the cache an {@code +aot} runtime starts from (null until the
 * harness has trained it).
 */
public record MetaStoreSubject(ServerSpec spec, String storage, int nodes, Path jar, List<String> jvmOptions,
                               ServerRuntime runtime, boolean runtimeInId, Path aotCache) implements Subject {

    @Override
    public String id() {
        return Subject.safe(spec.name()) + "-" + storage + Subject.nodesSuffix(nodes)
                + (runtimeInId ? "-" + runtime.name() : "");
    }

    @Override
    public String kind() {
        return "metastore";
    }

    @Override
    public String config() {
        return spec.name() + (runtimeInId ? "@" + runtime.name() : "");
    }

    public MetaStoreSubject withAotCache(Path cache) {
        return new MetaStoreSubject(spec, storage, nodes, jar, jvmOptions, runtime, runtimeInId, cache);
    }

    @Override
    public Endpoint start(Path work) throws Exception {
        if (runtime.aot() && aotCache == null) {
            throw new IllegalStateException(id() + " starts from an AOT cache, and none has been trained");
        }
        return start(work, i -> runtime.aotOptions(aotCache, false));
    }

    /**
     * Starts the members so that each records an AOT cache at exit, member i (from 1) into
     * {@code cacheOf(i)}: the training run of an {@code +aot} runtime.
     */
    public Endpoint startTraining(Path work, java.util.function.IntFunction<Path> cacheOf) throws Exception {
        return start(work, i -> runtime.aotOptions(cacheOf.apply(i), true));
    }

    private Endpoint start(Path work, java.util.function.IntFunction<List<String>> aot) throws Exception {
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
            command.add(runtime.java().toString());
            command.addAll(runtime.options());
            command.addAll(aot.apply(i + 1));
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
