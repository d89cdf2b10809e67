package io.metastore.command;

/** Grant lease {@code id} (chosen by the proposer, never 0) for {@code ttlSeconds}. */
public record LeaseGrant(long id, long ttlSeconds) implements Command {
}
