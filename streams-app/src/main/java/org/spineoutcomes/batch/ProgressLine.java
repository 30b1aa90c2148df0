package org.spineoutcomes.batch;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A progress line for long work: at most one line per interval, the first after one interval, so a short run
 * prints none. One line each (not a carriage-return bar), so it reads the same in a terminal and in a log.
 * Single-threaded use.
 */
final class ProgressLine {
    private final PrintStream err;
    private final long intervalNanos;
    private long last = System.nanoTime();

    ProgressLine(PrintStream err, Duration interval) {
        this.err = err;
        this.intervalNanos = interval.toNanos();
    }

    /** Prints "batch: " + the text when an interval has passed since the last line (or the start). */
    void maybe(Supplier<String> text) {
        long now = System.nanoTime();
        if (now - last < intervalNanos) return;
        last = now;
        err.println("batch: " + text.get());
    }
}
