package io.metastore.server.propose;

import java.util.Locale;

/**
 * How commands travel from request threads to Raft, parsed from
 * {@code unbuffered | buffered[:N] | batched[:maxOps[:maxDelayMicros[:adaptive]]]}.
 *
 * @param kind           the strategy
 * @param capacity       queue capacity for {@code buffered} and {@code batched}; 0 for {@code unbuffered}
 * @param maxOps         commands per Raft entry for {@code batched}; 1 otherwise
 * @param maxDelayMicros how long {@code batched} waits for more commands once it holds one
 * @param adaptive       {@code batched} waits for more only when it found company already queued:
 *                       a lone command (one client, or a quiet moment) goes at once
 */
public record ProposalStrategy(Kind kind, int capacity, int maxOps, long maxDelayMicros, boolean adaptive) {

    public enum Kind { UNBUFFERED, BUFFERED, BATCHED }

    /** The seed's Tier 2 queue length. */
    public static final int DEFAULT_CAPACITY = 1000;
    public static final int DEFAULT_MAX_OPS = 128;
    public static final long DEFAULT_MAX_DELAY_MICROS = 200;

    public ProposalStrategy {
        if (kind != Kind.UNBUFFERED && capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        }
        if (maxOps < 1) {
            throw new IllegalArgumentException("maxOps must be at least 1, got " + maxOps);
        }
        if (maxDelayMicros < 0) {
            throw new IllegalArgumentException("maxDelayMicros must not be negative, got " + maxDelayMicros);
        }
    }

    public static ProposalStrategy unbuffered() {
        return new ProposalStrategy(Kind.UNBUFFERED, 0, 1, 0, false);
    }

    public static ProposalStrategy buffered(int capacity) {
        return new ProposalStrategy(Kind.BUFFERED, capacity, 1, 0, false);
    }

    public static ProposalStrategy batched(int maxOps, long maxDelayMicros) {
        return batched(maxOps, maxDelayMicros, false);
    }

    public static ProposalStrategy batched(int maxOps, long maxDelayMicros, boolean adaptive) {
        return new ProposalStrategy(Kind.BATCHED, Math.max(DEFAULT_CAPACITY, 4 * maxOps), maxOps, maxDelayMicros, adaptive);
    }

    /** Parses the flag's syntax; throws {@link IllegalArgumentException} with a one-line reason. */
    public static ProposalStrategy parse(String spec) {
        String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
        try {
            switch (parts[0]) {
                case "unbuffered" -> {
                    if (parts.length == 1) {
                        return unbuffered();
                    }
                }
                case "buffered" -> {
                    if (parts.length <= 2) {
                        return buffered(parts.length == 2 ? Integer.parseInt(parts[1]) : DEFAULT_CAPACITY);
                    }
                }
                case "batched" -> {
                    boolean adaptive = parts.length == 4 && parts[3].equals("adaptive");
                    if (parts.length <= 3 || adaptive) {
                        int ops = parts.length >= 2 ? Integer.parseInt(parts[1]) : DEFAULT_MAX_OPS;
                        long delay = parts.length >= 3 ? Long.parseLong(parts[2]) : DEFAULT_MAX_DELAY_MICROS;
                        return batched(ops, delay, adaptive);
                    }
                }
                default -> {
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number in proposal strategy '" + spec + "'");
        }
        throw new IllegalArgumentException("unknown proposal strategy '" + spec
                + "' (expected unbuffered, buffered[:N] or batched[:maxOps[:maxDelayMicros[:adaptive]]])");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UNBUFFERED -> "unbuffered";
            case BUFFERED -> "buffered:" + capacity;
            case BATCHED -> "batched:" + maxOps + ":" + maxDelayMicros + (adaptive ? ":adaptive" : "");
        };
    }
}
