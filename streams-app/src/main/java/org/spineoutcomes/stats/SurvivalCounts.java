package org.spineoutcomes.stats;

import java.util.Collections;
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

        /** Patients whose time is this day. */
        public long patients() {
            return Math.addExact(events, censored);
        }
    }

    /**
     * Days with a patient, ascending, and their counts, in parallel arrays (the first {@code size} entries).
     * Arrays rather than a sorted map: the cell step copies a cell and merges a batch's few days into it for
     * every batch, and copying a map of hundreds of days was a tenth of the cell stage's time.
     */
    private int[] days;
    private long[] eventCounts;
    private long[] censoredCounts;
    private int size;

    public SurvivalCounts() {
        this(8);
    }

    private SurvivalCounts(int capacity) {
        days = new int[capacity];
        eventCounts = new long[capacity];
        censoredCounts = new long[capacity];
    }

    /** Batch computation: the counts of the given patients' times. */
    public static SurvivalCounts of(Iterable<SurvivalTime> times) {
        SurvivalCounts s = new SurvivalCounts();
        for (SurvivalTime t : times) {
            s.add(t);
        }
        return s;
    }

    public SurvivalCounts copy() {
        SurvivalCounts c = new SurvivalCounts(0);
        c.days = java.util.Arrays.copyOf(days, Math.max(size, 1));
        c.eventCounts = java.util.Arrays.copyOf(eventCounts, Math.max(size, 1));
        c.censoredCounts = java.util.Arrays.copyOf(censoredCounts, Math.max(size, 1));
        c.size = size;
        return c;
    }

    /** Adds one patient's time. */
    public SurvivalCounts add(SurvivalTime t) {
        Objects.requireNonNull(t, "time");
        update(t.day(), t.event() ? 1 : 0, t.event() ? 0 : 1);
        return this;
    }

    /** Removes a time added before (the patient's previous state). */
    public SurvivalCounts subtract(SurvivalTime t) {
        Objects.requireNonNull(t, "time");
        update(t.day(), t.event() ? -1 : 0, t.event() ? 0 : -1);
        return this;
    }

    /** Adds every count of {@code other} ({@code other} is unchanged). */
    public SurvivalCounts merge(SurvivalCounts other) {
        if (other == this) other = other.copy();
        if (other.size > 16 && other.size * 4 > size) {
            mergeSorted(other);
        } else {
            for (int i = 0; i < other.size; i++) update(other.days[i], other.eventCounts[i], other.censoredCounts[i]);
        }
        return this;
    }

    /** Both arrays walked once (a large change, or a copy into an empty cell). */
    private void mergeSorted(SurvivalCounts other) {
        int capacity = Math.max(1, size + other.size);
        int[] d = new int[capacity];
        long[] e = new long[capacity];
        long[] c = new long[capacity];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < size || j < other.size) {
            int day;
            long events;
            long censored;
            if (j >= other.size || i < size && days[i] < other.days[j]) {
                day = days[i];
                events = eventCounts[i];
                censored = censoredCounts[i++];
            } else if (i >= size || other.days[j] < days[i]) {
                day = other.days[j];
                events = other.eventCounts[j];
                censored = other.censoredCounts[j++];
            } else {
                day = days[i];
                events = Math.addExact(eventCounts[i], other.eventCounts[j]);
                censored = Math.addExact(censoredCounts[i++], other.censoredCounts[j++]);
            }
            if (events == 0 && censored == 0) continue;
            d[n] = day;
            e[n] = events;
            c[n++] = censored;
        }
        days = d;
        eventCounts = e;
        censoredCounts = c;
        size = n;
    }

    private void update(int day, long events, long censored) {
        int i = java.util.Arrays.binarySearch(days, 0, size, day);
        if (i >= 0) {
            long e = Math.addExact(eventCounts[i], events);
            long c = Math.addExact(censoredCounts[i], censored);
            if (e == 0 && c == 0) {
                System.arraycopy(days, i + 1, days, i, size - i - 1);
                System.arraycopy(eventCounts, i + 1, eventCounts, i, size - i - 1);
                System.arraycopy(censoredCounts, i + 1, censoredCounts, i, size - i - 1);
                size--;
            } else {
                eventCounts[i] = e;
                censoredCounts[i] = c;
            }
            return;
        }
        if (events == 0 && censored == 0) return;
        int at = -i - 1;
        if (size == days.length) {
            int capacity = Math.max(8, size * 2);
            days = java.util.Arrays.copyOf(days, capacity);
            eventCounts = java.util.Arrays.copyOf(eventCounts, capacity);
            censoredCounts = java.util.Arrays.copyOf(censoredCounts, capacity);
        }
        System.arraycopy(days, at, days, at + 1, size - at);
        System.arraycopy(eventCounts, at, eventCounts, at + 1, size - at);
        System.arraycopy(censoredCounts, at, censoredCounts, at + 1, size - at);
        days[at] = day;
        eventCounts[at] = events;
        censoredCounts[at] = censored;
        size++;
    }

    /** Read-only, by ascending day; only days with a patient (a new map: for publication, not for every change). */
    public NavigableMap<Integer, DayCounts> byDay() {
        TreeMap<Integer, DayCounts> view = new TreeMap<>();
        for (int i = 0; i < size; i++) view.put(days[i], new DayCounts(eventCounts[i], censoredCounts[i]));
        return Collections.unmodifiableNavigableMap(view);
    }

    /** Patients in the cell. */
    public long patients() {
        long n = 0;
        for (int i = 0; i < size; i++) n = Math.addExact(n, Math.addExact(eventCounts[i], censoredCounts[i]));
        return n;
    }

    /** Patients with an event. */
    public long events() {
        long n = 0;
        for (int i = 0; i < size; i++) n = Math.addExact(n, eventCounts[i]);
        return n;
    }

    /** No patient left (the cell is deleted, R30). */
    public boolean isEmpty() {
        return size == 0;
    }

    /** True when no count is negative, i.e. no subtraction is still waiting for its addition. */
    public boolean hasNoNegativeCounts() {
        for (int i = 0; i < size; i++) {
            if (eventCounts[i] < 0 || censoredCounts[i] < 0) return false;
        }
        return true;
    }

    // ---- serialisation: compact, deterministic ----

    /** Binary form for state stores: version byte, then (day delta, events, censored) by ascending day. */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer();
        w.u8(FORMAT_VERSION);
        w.varLong(size);
        long previous = 0;
        for (int i = 0; i < size; i++) {
            w.varLong(days[i] - previous);
            previous = days[i];
            w.varLong(eventCounts[i]);
            w.varLong(censoredCounts[i]);
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
            s.update((int) day, r.varLong(), r.varLong());
        }
        r.end();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SurvivalCounts s && size == s.size && java.util.Arrays.equals(days, 0, size, s.days, 0, size)
                && java.util.Arrays.equals(eventCounts, 0, size, s.eventCounts, 0, size)
                && java.util.Arrays.equals(censoredCounts, 0, size, s.censoredCounts, 0, size);
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) h = 31 * (31 * (31 * h + days[i]) + Long.hashCode(eventCounts[i])) + Long.hashCode(censoredCounts[i]);
        return h;
    }

    @Override
    public String toString() {
        return "SurvivalCounts" + byDay();
    }
}
