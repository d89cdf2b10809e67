package io.metastore.server.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimisation presets: each tier sets a group of switches at once, on top of the one
 * before it. Explicit flags, the config file and the environment override a tier's choices.
 *
 * <pre>
 *            codec     proposals                 memory lock  kv encoding  pooled  cached rev  batched writes  lease expiry  grpc executor
 * baseline   json      unbuffered                global       generic      no      no          no              scan          pool
 * tier1      json      unbuffered                global       binary       yes     yes         yes             scan          pool
 * tier2      protobuf  buffered:1000             global       binary       yes     yes         yes             scan          pool
 * tier3      protobuf  batched:128:200:adaptive  sharded      binary       yes     yes         yes             queue         direct
 * </pre>
 */
public enum Tier {
    BASELINE, TIER1, TIER2, TIER3;

    /** The option values this tier sets, by option name. */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("codec", "json");
        s.put("proposal-strategy", "unbuffered");
        s.put("memory-locking", "global");
        s.put("kv-encoding", "generic");
        s.put("pooled-buffers", "false");
        s.put("cached-revision", "false");
        s.put("batched-writes", "false");
        s.put("lease-expiry", "scan");
        s.put("grpc-executor", "pool");
        if (ordinal() >= TIER1.ordinal()) {
            s.put("kv-encoding", "binary");
            s.put("pooled-buffers", "true");
            s.put("cached-revision", "true");
            s.put("batched-writes", "true");
        }
        if (ordinal() >= TIER2.ordinal()) {
            s.put("codec", "protobuf");
            s.put("proposal-strategy", "buffered:1000");
        }
        if (ordinal() >= TIER3.ordinal()) {
            s.put("proposal-strategy", "batched:128:200:adaptive");
            s.put("memory-locking", "sharded");
            s.put("lease-expiry", "queue");
            s.put("grpc-executor", "direct");
        }
        return s;
    }

    public String flagValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
