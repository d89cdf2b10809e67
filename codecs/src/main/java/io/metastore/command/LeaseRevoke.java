package io.metastore.command;

/** Revoke lease {@code id}, deleting every key attached to it. */
public record LeaseRevoke(long id) implements Command {
}
