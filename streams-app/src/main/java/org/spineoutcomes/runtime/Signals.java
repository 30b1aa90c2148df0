package org.spineoutcomes.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a request to stop: the first runs {@code onStop} (the caller then
 * closes the app and returns, so the exit code is its own, 0 for a clean stop, not 143); a second
 * one while closing halts the JVM at once with 130.
 */
public final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** True when both handlers were installed; false when the JVM refuses (e.g. run with -Xrs). */
    public static boolean onTerminate(Runnable onStop) {
        AtomicInteger received = new AtomicInteger();
        boolean all = true;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (received.incrementAndGet() == 1) {
                        LOG.info("SIG{} received: stopping (again to stop at once)", signal.getName());
                        onStop.run();
                    } else {
                        LOG.warn("SIG{} received again: halting without a clean stop", signal.getName());
                        Runtime.getRuntime().halt(130);
                    }
                });
            } catch (IllegalArgumentException e) {
                all = false;
            }
        }
        return all;
    }
}
