package org.spineoutcomes.stats;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exact sufficient statistics of one Kaplan-Meier cell (R37: population x arm x stratum): per day
 * number, the events and the censorings on that day. Everything Kaplan-Meier (R37) and the log-rank
 * test (R38) need follows from these counts.
 *
 * <p>Mutable like {@link CellStatistics}: {@link #add}, {@link #subtract} and {@link #merge} change this
 * object and return it; any order that nets to the same multiset of patients gives an {@code equals}
 * state and identical {@link #toBytes()}. Days whose counts return to zero are removed. Counts may pass
 * through negative values when a subtraction arrives before its addition.
 */
public final class SurvivalCounts {

    private static final byte FORMAT_VERSION = 1;

    /** Events and censorings on one day. */
    public record DayCounts(long events, long censored) {
        static final DayCounts ZERO = new DayCounts(0, 0);

        DayCounts plus(DayCounts o) {
            return new DayCounts(Math.addExact(events, o.events), Math.addExact(censored, o.censored));
        }

        /** Patients whose time is this day. */
        public long patients() {
            return Math.addExact(events, censored);
        }

        boolean isZero() {
            return events == 0 && censored == 0;
        }
    }

    private final TreeMap<Integer, DayCounts> byDay = new TreeMap<>();

    public SurvivalCounts() {}

    /** Batch computation: the counts of the given patients' times. */
    public static SurvivalCounts of(Iterable<SurvivalTime> times) {
        SurvivalCounts s = new SurvivalCounts();
        for (SurvivalTime t : times) {
            s.add(t);
        }
        return s;
    }

    public SurvivalCounts copy() {
        return new SurvivalCounts().merge(this);
    }

    /** Adds one patient's time. */
    public SurvivalCounts add(SurvivalTime t) {
        Objects.requireNonNull(t, "time");
        update(t.day(), t.event() ? new DayCounts(1, 0) : new DayCounts(0, 1));
        return this;
    }

    /** Removes a time added before (the patient's previous state). */
    public SurvivalCounts subtract(SurvivalTime t) {
        Objects.requireNonNull(t, "time");
        update(t.day(), t.event() ? new DayCounts(-1, 0) : new DayCounts(0, -1));
        return this;
    }

    /** Adds every count of {@code other} ({@code other} is unchanged). */
    public SurvivalCounts merge(SurvivalCounts other) {
        other.byDay.forEach(this::update);
        return this;
    }

    private void update(int day, DayCounts delta) {
        DayCounts now = byDay.getOrDefault(day, DayCounts.ZERO).plus(delta);
        if (now.isZero()) {
            byDay.remove(day);
        } else {
            byDay.put(day, now);
        }
    }

    /** Read-only, by ascending day; only days with a patient. */
    public NavigableMap<Integer, DayCounts> byDay() {
        return Collections.unmodifiableNavigableMap(byDay);
    }

    /** Patients in the cell. */
    public long patients() {
        long n = 0;
        for (DayCounts c : byDay.values()) n = Math.addExact(n, c.patients());
        return n;
    }

    /** Patients with an event. */
    public long events() {
        long n = 0;
        for (DayCounts c : byDay.values()) n = Math.addExact(n, c.events());
        return n;
    }

    /** No patient left (the cell is deleted, R30). */
    public boolean isEmpty() {
        return byDay.isEmpty();
    }

    /** True when no count is negative, i.e. no subtraction is still waiting for its addition. */
    public boolean hasNoNegativeCounts() {
        return byDay.values().stream().allMatch(c -> c.events() >= 0 && c.censored() >= 0);
    }

    // ---- serialisation: compact, deterministic ----

    /** Binary form for state stores: version byte, then (day delta, events, censored) by ascending day. */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer();
        w.u8(FORMAT_VERSION);
        w.varLong(byDay.size());
        long previous = 0;
        for (Map.Entry<Integer, DayCounts> e : byDay.entrySet()) {
            w.varLong(e.getKey() - previous);
            previous = e.getKey();
            w.varLong(e.getValue().events());
            w.varLong(e.getValue().censored());
        }
        return w.toByteArray();
    }

    public static SurvivalCounts fromBytes(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader("SurvivalCounts", Objects.requireNonNull(bytes, "bytes"));
        r.version(FORMAT_VERSION);
        SurvivalCounts s = new SurvivalCounts();
        long count = r.count("day");
        long day = 0;
        for (long i = 0; i < count; i++) {
            day += r.varLong();
            if (day < 0 || day > Integer.MAX_VALUE) {
                throw r.error("bad day " + day);
            }
            s.update((int) day, new DayCounts(r.varLong(), r.varLong()));
        }
        r.end();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SurvivalCounts s && byDay.equals(s.byDay);
    }

    @Override
    public int hashCode() {
        return byDay.hashCode();
    }

    @Override
    public String toString() {
        return "SurvivalCounts" + byDay;
    }
}
