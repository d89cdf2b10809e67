package io.metastore.bench.macro.load;

/**
 * What the harness reads around the measured window (CPU time, server metrics): {@code opening}
 * runs on the workload's thread just before the window's first instant, {@code closed} just
 * after its last, with the load running throughout. A workload calls each at most once.
 */
public interface WindowProbe {
    WindowProbe NONE = new WindowProbe() {
        @Override
        public void opening() {
        }

        @Override
        public void closed() {
        }
    };

    void opening();

    void closed();
}
