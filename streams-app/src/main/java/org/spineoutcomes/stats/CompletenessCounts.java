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

    private final TreeMap<LocalDate, DueCounts> byWindowLastDate = new TreeMap<>();

    public CompletenessCounts() {}

    public CompletenessCounts copy() {
        CompletenessCounts c = new CompletenessCounts();
        c.byWindowLastDate.putAll(byWindowLastDate);
        return c;
    }

    public void add(LocalDate windowLastDate, boolean assessed) {
        apply(windowLastDate, 1, assessed ? 1 : 0);
    }

    public void subtract(LocalDate windowLastDate, boolean assessed) {
        apply(windowLastDate, -1, assessed ? -1 : 0);
    }

    public void merge(CompletenessCounts other) {
        other.byWindowLastDate.forEach((d, c) -> apply(d, c.patients(), c.assessed()));
    }

    /** Sets counts directly (deserialisation); zero counts are not stored. */
    void apply(LocalDate windowLastDate, long patients, long assessed) {
        Objects.requireNonNull(windowLastDate, "windowLastDate");
        DueCounts old = byWindowLastDate.getOrDefault(windowLastDate, new DueCounts(0, 0));
        DueCounts now = new DueCounts(Math.addExact(old.patients(), patients), Math.addExact(old.assessed(), assessed));
        if (now.isZero()) {
            byWindowLastDate.remove(windowLastDate);
        } else {
            byWindowLastDate.put(windowLastDate, now);
        }
    }

    public boolean isEmpty() {
        return byWindowLastDate.isEmpty();
    }

    /** Read-only view, ascending by date. */
    public NavigableMap<LocalDate, DueCounts> byWindowLastDate() {
        return Collections.unmodifiableNavigableMap(byWindowLastDate);
    }

    /**
     * Completeness at a data cut (R2, R33): a window has elapsed when the cut's UTC date is after
     * its last accepted date; due = patients with an elapsed window, assessed = those of them with a
     * chosen assessment.
     */
    public CompletenessEstimate at(Instant dataCut) {
        LocalDate cutDate = LocalDate.ofInstant(Objects.requireNonNull(dataCut, "dataCut"), ZoneOffset.UTC);
        long due = 0;
        long assessed = 0;
        for (Map.Entry<LocalDate, DueCounts> e : byWindowLastDate.headMap(cutDate, false).entrySet()) {
            due += e.getValue().patients();
            assessed += e.getValue().assessed();
        }
        return CompletenessEstimate.of(due, assessed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompletenessCounts c && byWindowLastDate.equals(c.byWindowLastDate);
    }

    @Override
    public int hashCode() {
        return byWindowLastDate.hashCode();
    }

    @Override
    public String toString() {
        return "CompletenessCounts" + byWindowLastDate;
    }
}
