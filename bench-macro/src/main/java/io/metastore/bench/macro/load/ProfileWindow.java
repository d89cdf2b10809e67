package io.metastore.bench.macro.load;

/**
 * Where a workload lets the harness profile the server: after the measured window while the
 * load still runs, or around a single timed call (a compaction). Runs on the workload's thread.
 */
public interface ProfileWindow {
    ProfileWindow NONE = new ProfileWindow() {
        @Override
        public void whileLoaded() {
        }

        @Override
        public void around(Runnable call) {
            call.run();
        }
    };

    void whileLoaded();

    void around(Runnable call);
}
