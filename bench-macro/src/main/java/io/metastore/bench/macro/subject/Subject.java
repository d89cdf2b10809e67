package io.metastore.bench.macro.subject;

import java.nio.file.Path;

/**
 * Something a cell measures. {@code id} is file-name safe and unique in a run; {@code config}
 * and {@code storage} are the table columns ({@code "-"} where they do not apply).
 */
public sealed interface Subject permits MetaStoreSubject, EtcdSubject, ExternalSubject {
    String id();

    String kind();

    String config();

    String storage();

    /** Members started for a cell: 1 for a single node, N for a cluster; 0 when unknown (an external target). */
    int nodes();

    /** Starts a fresh server (empty data dir under {@code work}) and waits until it answers a Range. */
    Endpoint start(Path work) throws Exception;

    /** The id suffix naming a cluster ({@code -3n}); none for a single node, so ids of one-node runs stay as they were. */
    static String nodesSuffix(int nodes) {
        return nodes > 1 ? "-" + nodes + "n" : "";
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9.-]+", "_");
    }
}
