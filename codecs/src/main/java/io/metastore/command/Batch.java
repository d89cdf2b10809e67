package io.metastore.command;

import java.util.List;
import java.util.Objects;

/**
 * Many commands carried by one Raft entry (the batched proposal strategy). They are applied in
 * list order as one engine write, each with its own revision. A batch never holds a batch.
 */
public record Batch(List<Command> commands) implements Command {

    public Batch {
        commands = List.copyOf(Objects.requireNonNull(commands, "commands"));
        for (Command c : commands) {
            if (c instanceof Batch) {
                throw new IllegalArgumentException("a batch cannot hold a batch");
            }
        }
    }
}
