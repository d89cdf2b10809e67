package io.metastore.bench.macro.subject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MetaStore configuration: a tier preset plus switches that override it, written
 * {@code tier[+flag=value...]} ({@code baseline+codec=protobuf}). Four aliases name the
 * one-switch-at-a-time variants of the baseline: {@code codec-only}, {@code proposal-only},
 * {@code locking-only} and {@code executor-only}, each the baseline with the one switch set as
 * in tier 3.
 */
public record ServerSpec(String name, String tier, Map<String, String> overrides) {
    public static final List<String> TIERS = List.of("baseline", "tier1", "tier2", "tier3");

    public ServerSpec {
        overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    public static ServerSpec parse(String text) {
        String spec = switch (text) {
            case "codec-only" -> "baseline+codec=protobuf";
            case "proposal-only" -> "baseline+proposal-strategy=batched:128:200";
            case "locking-only" -> "baseline+memory-locking=sharded";
            case "executor-only" -> "baseline+grpc-executor=direct";
            default -> text;
        };
        String[] parts = spec.split("\\+");
        if (!TIERS.contains(parts[0])) {
            throw new IllegalArgumentException("unknown tier '" + parts[0] + "' in '" + text + "'; tiers: " + TIERS);
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected flag=value after '+' in '" + text + "'");
            }
            overrides.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return new ServerSpec(text, parts[0], overrides);
    }

    /** True for a variant that only sets the memory engine's locking, which RocksDB ignores. */
    public boolean onlyAffectsMemoryEngine() {
        return !overrides.isEmpty() && overrides.keySet().stream().allMatch("memory-locking"::equals);
    }

    public List<String> flags() {
        List<String> flags = new ArrayList<>(List.of("--tier", tier));
        overrides.forEach((k, v) -> {
            flags.add("--" + k);
            flags.add(v);
        });
        return flags;
    }
}
