package io.metastore.command;

/**
 * etcd's {@code CompactionRequest}: discard history at or below {@code revision}. With
 * {@code physical} the request is answered only once the compaction has finished.
 */
public record Compact(long revision, boolean physical) implements Command {
}
