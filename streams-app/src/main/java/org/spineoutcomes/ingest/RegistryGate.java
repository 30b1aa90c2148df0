package org.spineoutcomes.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether processing waits for the schema registry, shared by the stream threads of one app
 * instance. A step that needed the registry and could not ask it (no answer, or a 5xx) reports it
 * here instead of rejecting anything; the gate then is <em>closed</em> (its {@link Listener}s pause
 * processing) until someone reports that the registry answers again ({@link #reportAnswered()}: a
 * probe, or a step whose call worked), which reopens it (the listeners resume).
 *
 * <p>Logging is one WARN line when an outage starts, saying what to check, and one INFO line when it
 * ends; reports during an outage are counted, not logged. A new outage reported within
 * {@link #FLAP_WINDOW} of the last reopening counts as the same trouble: {@link #failedRecoveries()}
 * grows, so probes back off further, and it is not logged again.
 */
public final class RegistryGate {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryGate.class);

    /**
     * A closing this soon after a reopening is the same trouble (the probe passed, the next real call
     * failed): no new WARN, and the probes back off further.
     */
    public static final Duration FLAP_WINDOW = Duration.ofSeconds(5);

    /** Told when processing must pause (the gate closed) and when it may go on (it reopened). Called outside any lock. */
    public interface Listener {
        void paused();

        void resumed();
    }

    /** A current outage: since when, what failed first, and where. */
    public record Outage(Instant since, String where, String cause) {}

    private final String registry;
    private final LongSupplier clockMs;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private Outage outage;
    private long lastReopenedMs = Long.MIN_VALUE / 2;
    private int failedRecoveries;
    private long outages;
    private long reports;

    /** @param registry how to name the registry in log lines (its URLs) */
    public RegistryGate(String registry) {
        this(registry, System::currentTimeMillis);
    }

    RegistryGate(String registry, LongSupplier clockMs) {
        this.registry = registry;
        this.clockMs = clockMs;
    }

    /** No answer at all (connection refused, timeout: status 0) or a server error (5xx): the registry, not the record. */
    public static boolean unavailable(SchemaRegistryException e) {
        return e.httpStatus() == 0 || e.httpStatus() >= 500;
    }

    /** The registry outage somewhere in {@code t}'s causes, if any. */
    public static Optional<SchemaRegistryException> unavailableCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SchemaRegistryException e && unavailable(e)) return Optional.of(e);
        }
        return Optional.empty();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * A step could not ask the registry. Closes the gate (the first report of an outage logs one WARN
     * line and pauses processing); later reports of the same outage are only counted.
     *
     * @param where what was being done, e.g. "decoding spine.followups.v1-1@42"
     */
    public void reportUnavailable(String where, Throwable cause) {
        boolean closedNow;
        boolean flapping;
        synchronized (this) {
            reports++;
            closedNow = outage == null;
            if (!closedNow) return;
            long now = clockMs.getAsLong();
            flapping = now - lastReopenedMs < FLAP_WINDOW.toMillis();
            failedRecoveries = flapping ? failedRecoveries + 1 : 0;
            if (!flapping) outages++;
            outage = new Outage(Instant.ofEpochMilli(now), where, String.valueOf(cause.getMessage()));
        }
        if (!flapping) {
            LOG.warn("schema registry {} unreachable while {}: {}. Processing is paused, nothing is rejected for it: the records "
                            + "wait and are read again when the registry answers (checked with back-off). Check that the registry is "
                            + "running and reachable from this host, spine.schema.registry.url and its credentials",
                    registry, where, cause.getMessage());
        }
        listeners.forEach(Listener::paused);
    }

    /** The registry answered: reopens a closed gate (one INFO line, processing resumes). No-op when open. */
    public void reportAnswered() {
        Outage ended;
        long now;
        synchronized (this) {
            ended = outage;
            if (ended == null) return;
            outage = null;
            now = clockMs.getAsLong();
            lastReopenedMs = now;
        }
        LOG.info("schema registry {} answers again after {} s; processing resumes where it stopped", registry,
                (now - ended.since().toEpochMilli()) / 1000.0);
        listeners.forEach(Listener::resumed);
    }

    /** The current outage; empty while the registry is believed to answer. */
    public synchronized Optional<Outage> outage() {
        return Optional.ofNullable(outage);
    }

    public synchronized boolean closed() {
        return outage != null;
    }

    /** Reopenings that were followed by a new failure within {@link #FLAP_WINDOW}, in a row: probes wait longer. */
    public synchronized int failedRecoveries() {
        return failedRecoveries;
    }

    /** Outages since start (a flap within the window is not a new one). */
    public synchronized long outages() {
        return outages;
    }

    /** Every report of unavailability since start, also those during an outage. */
    public synchronized long reports() {
        return reports;
    }
}
