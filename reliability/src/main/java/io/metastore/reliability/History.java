package io.metastore.reliability;

import java.util.ArrayList;
import java.util.List;

/** The operations of one run, appended by many client threads. */
public final class History {
    private final List<Op> ops = new ArrayList<>();

    public synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized List<Op> snapshot() {
        return List.copyOf(ops);
    }

    public synchronized long count(Op.Outcome outcome) {
        return ops.stream().filter(o -> o.outcome() == outcome).count();
    }
}
