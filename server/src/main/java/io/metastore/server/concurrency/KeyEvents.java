package io.metastore.server.concurrency;

import io.metastore.mvcc.Event;
import io.metastore.server.apply.Applied;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Server-side subscriptions to applied changes under a key prefix, for the lock and election
 * services (which etcd builds on a watch). Fed on the apply thread, it only matches keys and
 * hands each match to an executor, so a subscriber never delays apply.
 */
public final class KeyEvents {
    private record Subscription(byte[] prefix, Consumer<Event> consumer) {
    }

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Executor executor;

    public KeyEvents(Executor executor) {
        this.executor = executor;
    }

    /** Apply thread: offers every event of the applied requests to the matching subscriptions. */
    public void onApplied(List<Applied> applied) {
        if (subscriptions.isEmpty()) {
            return;
        }
        for (Applied a : applied) {
            for (Event e : a.events()) {
                for (Subscription s : subscriptions) {
                    if (startsWith(e.kv().key(), s.prefix)) {
                        executor.execute(() -> s.consumer.accept(e));
                    }
                }
            }
        }
    }

    /** Calls {@code consumer} (on the executor) for each change under {@code prefix}, until the returned handle runs. */
    public Runnable subscribe(byte[] prefix, Consumer<Event> consumer) {
        Subscription s = new Subscription(prefix, consumer);
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
