package io.metastore.server.propose;

import io.metastore.command.Command;
import io.metastore.server.apply.Applied;

import java.util.concurrent.CompletableFuture;

/** A command on its way into the log, and the future its applied result completes. */
public record Proposal(Command command, CompletableFuture<Applied> result) {

    public static Proposal of(Command command) {
        return new Proposal(command, new CompletableFuture<>());
    }
}
