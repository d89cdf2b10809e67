package io.metastore.server.propose;

import io.metastore.command.Command;
import io.metastore.server.apply.Applied;

import java.util.concurrent.CompletableFuture;

/**
 * A command on its way into the log, the future its applied result completes, and when the
 * proposer took it ({@link System#nanoTime}, for the latency breakdown).
 */
public record Proposal(Command command, CompletableFuture<Applied> result, long takenNanos) {

    public static Proposal of(Command command) {
        return new Proposal(command, new CompletableFuture<>(), System.nanoTime());
    }
}
