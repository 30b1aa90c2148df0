package org.spineoutcomes.demo;

import java.time.Duration;

/**
 * One progress line on stderr: rewritten in place on a terminal, printed as a new line elsewhere (CI logs),
 * each at most once per its interval, so a log file does not fill with it.
 */
final class ProgressLine {
    private final boolean terminal = System.console() != null;
    private final long everyNanos;
    private long next;
    private int shown;

    /**
     * @param onTerminal  least time between two updates on a terminal
     * @param inLog       least time between two lines elsewhere
     * @param firstAtOnce show the first update at once, else after one interval
     */
    ProgressLine(Duration onTerminal, Duration inLog, boolean firstAtOnce) {
        this.everyNanos = (terminal ? onTerminal : inLog).toNanos();
        this.next = firstAtOnce ? System.nanoTime() : System.nanoTime() + everyNanos;
    }

    void update(String line) {
        update(() -> line);
    }

    /** As {@link #update(String)}, the line built only when it is shown (building it may be costly: app metrics). */
    void update(java.util.function.Supplier<String> line) {
        long now = System.nanoTime();
        if (now < next) return;
        next = now + everyNanos;
        print(line.get());
    }

    /** Ends the line on a terminal (after a last update, when given). */
    void done(String finalLine) {
        if (finalLine != null) print(finalLine);
        if (terminal && shown > 0) System.err.println();
        shown = 0;
    }

    private void print(String line) {
        if (terminal) {
            System.err.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
            shown = line.length();
        } else {
            System.err.println(line);
        }
        System.err.flush();
    }
}
