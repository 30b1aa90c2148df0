package org.spineoutcomes.stats;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Completeness counts of one cell (R33), keyed by the UTC date of the window's last accepted day:
 * how many patients have that last date, and how many of them have a chosen assessment. Kept per
 * date because the data cut is only known when the aggregate is read (R2). Mutable (many distinct
 * dates per cell; copying on every add would be quadratic); entries whose counts return to 0 are
 * removed, so add then subtract restores an equal state.
 */
public final class CompletenessCounts {

    /** Patients whose window ends on one date, and how many of them were assessed. */
    public record DueCounts(long patients, long assessed) {
        boolean isZero() {
            return patients == 0 && assessed == 0;
        }
    }

    /** {patients, assessed} per date, mutated in place: this map is updated for every patient of every cell. */
    private final TreeMap<LocalDate, long[]> byWindowLastDate = new TreeMap<>();

    /** Dates whose counts are not consistent (negative, or more assessed than patients), kept with every change. */
    private int inconsistentDates;

    /**
     * The sums before the last data-cut date asked for, kept with every change: a cell of a large cohort has
     * thousands of dates and is published every second while the cut moves rarely, so {@link #at} answers
     * without walking them. Null until asked.
     */
    private LocalDate sumsBefore;
    private long dueBefore;
    private long assessedBefore;

    public CompletenessCounts() {}

    public CompletenessCounts copy() {
        CompletenessCounts c = new CompletenessCounts();
        byWindowLastDate.forEach((d, counts) -> c.byWindowLastDate.put(d, counts.clone()));
        c.inconsistentDates = inconsistentDates;
        c.sumsBefore = sumsBefore;
        c.dueBefore = dueBefore;
        c.assessedBefore = assessedBefore;
        return c;
    }

    public void add(LocalDate windowLastDate, boolean assessed) {
        apply(windowLastDate, 1, assessed ? 1 : 0);
    }

    public void subtract(LocalDate windowLastDate, boolean assessed) {
        apply(windowLastDate, -1, assessed ? -1 : 0);
    }

    /** Adds signed counts for one date (a store of per-date counts keeps a cached view up to date with this). */
    public void adjust(LocalDate windowLastDate, long patients, long assessed) {
        apply(windowLastDate, patients, assessed);
    }

    public void merge(CompletenessCounts other) {
        other.byWindowLastDate.forEach((d, c) -> apply(d, c[0], c[1]));
    }

    /** Sets counts directly (deserialisation); zero counts are not stored. */
    void apply(LocalDate windowLastDate, long patients, long assessed) {
        Objects.requireNonNull(windowLastDate, "windowLastDate");
        long[] counts = byWindowLastDate.get(windowLastDate);
        if (counts == null) {
            counts = new long[2];
            byWindowLastDate.put(windowLastDate, counts);
        }
        boolean wasConsistent = consistent(counts);
        counts[0] = Math.addExact(counts[0], patients);
        counts[1] = Math.addExact(counts[1], assessed);
        boolean nowConsistent = consistent(counts);
        if (wasConsistent != nowConsistent) inconsistentDates += nowConsistent ? -1 : 1;
        if (sumsBefore != null && windowLastDate.isBefore(sumsBefore)) {
            dueBefore = Math.addExact(dueBefore, patients);
            assessedBefore = Math.addExact(assessedBefore, assessed);
        }
        if (counts[0] == 0 && counts[1] == 0) {
            byWindowLastDate.remove(windowLastDate);
        }
    }

    /** {patients, assessed} of one date (a new array), or null when no patient has it. */
    public long[] countsOn(LocalDate windowLastDate) {
        long[] counts = byWindowLastDate.get(windowLastDate);
        return counts == null ? null : counts.clone();
    }

    public boolean isEmpty() {
        return byWindowLastDate.isEmpty();
    }

    /** No date with negative counts or with more assessed than patients (checked without building a view). */
    public boolean isConsistent() {
        return inconsistentDates == 0;
    }

    private static boolean consistent(long[] c) {
        return c[0] >= 0 && c[1] >= 0 && c[1] <= c[0];
    }

    /** Read-only view, ascending by date. */
    public NavigableMap<LocalDate, DueCounts> byWindowLastDate() {
        TreeMap<LocalDate, DueCounts> view = new TreeMap<>();
        byWindowLastDate.forEach((d, c) -> view.put(d, new DueCounts(c[0], c[1])));
        return Collections.unmodifiableNavigableMap(view);
    }

    /**
     * Completeness at a data cut (R2, R33): a window has elapsed when the cut's UTC date is after
     * its last accepted date; due = patients with an elapsed window, assessed = those of them with a
     * chosen assessment.
     */
    public CompletenessEstimate at(Instant dataCut) {
        LocalDate cutDate = LocalDate.ofInstant(Objects.requireNonNull(dataCut, "dataCut"), ZoneOffset.UTC);
        if (!cutDate.equals(sumsBefore)) {
            long due = 0;
            long assessed = 0;
            for (long[] c : byWindowLastDate.headMap(cutDate, false).values()) {
                due += c[0];
                assessed += c[1];
            }
            sumsBefore = cutDate;
            dueBefore = due;
            assessedBefore = assessed;
        }
        return CompletenessEstimate.of(dueBefore, assessedBefore);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CompletenessCounts c) || !byWindowLastDate.keySet().equals(c.byWindowLastDate.keySet())) return false;
        for (Map.Entry<LocalDate, long[]> e : byWindowLastDate.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), c.byWindowLastDate.get(e.getKey()))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<LocalDate, long[]> e : byWindowLastDate.entrySet()) h += e.getKey().hashCode() ^ java.util.Arrays.hashCode(e.getValue());
        return h;
    }

    @Override
    public String toString() {
        return "CompletenessCounts" + byWindowLastDate();
    }
}
