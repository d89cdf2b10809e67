package io.metastore.bench.macro.load;

/** How one request tells its client loop that it finished; called once, on any thread. */
public interface Completion {
    void succeeded();

    void failed(Throwable error);
}
