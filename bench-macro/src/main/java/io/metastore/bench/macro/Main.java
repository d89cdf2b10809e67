package io.metastore.bench.macro;

import java.io.PrintStream;

/**
 * {@code java -jar bench-macro/target/metastore-bench-macro.jar [flags]}: runs the matrix and
 * writes {@code results/macro/<date>_<sha>/} and {@code profiles/macro/<date>_<sha>/}.
 * Exit codes: 0 done, 2 bad flags, 1 the run failed.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        try {
            new Harness(BenchOptions.parse(args), out).run();
            return 0;
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                err.println("bench-macro: " + e.getMessage());
            }
            err.print(BenchOptions.USAGE);
            return e.getMessage() == null ? 0 : 2;
        } catch (Exception e) {
            err.println("bench-macro: run failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
