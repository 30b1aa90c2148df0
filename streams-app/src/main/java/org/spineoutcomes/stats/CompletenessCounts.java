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

    /** What {@link #forEachDate} hands over: one date with counts. */
    @FunctionalInterface
    public interface DateCounts {
        void accept(LocalDate windowLastDate, long patients, long assessed);
    }

    /**
     * Days per page: the counts live in pages of 64 consecutive days (epoch day >> 6) in a small sorted map.
     * A cell's dates span a few years, so a date is found among a few dozen pages and then by its bit in the
     * page's 64-bit mask, instead of among thousands of dates in a tree of LocalDate keys (that lookup was a tenth of the
     * cell stage's time in a backfill).
     */
    private static final int PAGE_SHIFT = 6;
    private static final int PAGE_DAYS = 1 << PAGE_SHIFT;

    /**
     * The days of one page with non-zero counts: bit i of {@code used} for day i, and their {patients, assessed}
     * in day order, day i at {@link #slot}(i). Sparse, because a patient's change touches one or two days of a
     * page (a full array of 64 days per changed page was most of the patient step's allocation), while a busy
     * cell's pages fill up to 64 days.
     */
    private static final class Page {
        long used;
        long[] counts = NO_COUNTS;

        int dates() {
            return Long.bitCount(used);
        }

        /** Index in {@code counts} of a day's patients (its assessed follow): two per used day before it. */
        int slot(int day) {
            return 2 * Long.bitCount(used & ((1L << day) - 1));
        }

        void insert(int slot, long bit, long patients, long assessed) {
            int length = 2 * dates();
            if (counts.length < length + 2) counts = java.util.Arrays.copyOf(counts, Math.min(2 * PAGE_DAYS, Math.max(4, 2 * counts.length)));
            System.arraycopy(counts, slot, counts, slot + 2, length - slot);
            counts[slot] = patients;
            counts[slot + 1] = assessed;
            used |= bit;
        }

        void remove(int slot, long bit) {
            int length = 2 * dates();
            System.arraycopy(counts, slot + 2, counts, slot, length - slot - 2);
            counts[length - 2] = 0;
            counts[length - 1] = 0;
            used &= ~bit;
        }

        Page copy() {
            Page p = new Page();
            p.used = used;
            p.counts = java.util.Arrays.copyOf(counts, 2 * dates());
            return p;
        }
    }

    private static final long[] NO_COUNTS = new long[0];

    /** Pages by epoch day >> 6, mutated in place: this is updated for every patient of every cell. */
    private final TreeMap<Long, Page> pages = new TreeMap<>();

    /** Dates whose counts are not consistent (negative, or more assessed than patients), kept with every change. */
    private int inconsistentDates;

    /**
     * The sums before the last data-cut date asked for (an epoch day; {@link #NOT_ASKED} until asked), kept
     * with every change: a cell of a large cohort has thousands of dates and is published every second while
     * the cut moves rarely, so {@link #at} answers without walking them.
     */
    private long sumsBeforeDay = NOT_ASKED;
    private long dueBefore;
    private long assessedBefore;
    private static final long NOT_ASKED = Long.MIN_VALUE;

    public CompletenessCounts() {}

    public CompletenessCounts copy() {
        CompletenessCounts c = new CompletenessCounts();
        pages.forEach((k, page) -> c.pages.put(k, page.copy()));
        c.inconsistentDates = inconsistentDates;
        c.sumsBeforeDay = sumsBeforeDay;
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
        for (Map.Entry<Long, Page> e : other.pages.entrySet()) {
            Page from = e.getValue();
            if (from.used == 0) continue;
            long firstDay = e.getKey() << PAGE_SHIFT;
            Page into = pages.computeIfAbsent(e.getKey(), k -> new Page());
            int j = 0;
            for (long bits = from.used; bits != 0; bits &= bits - 1, j += 2) {
                int i = Long.numberOfTrailingZeros(bits);
                applyOn(into, i, firstDay + i, from.counts[j], from.counts[j + 1]);
            }
            if (into.used == 0) pages.remove(e.getKey());
        }
    }

    /** Sets counts directly (deserialisation); zero counts are not stored. */
    void apply(LocalDate windowLastDate, long patients, long assessed) {
        Objects.requireNonNull(windowLastDate, "windowLastDate");
        long day = windowLastDate.toEpochDay();
        long key = day >> PAGE_SHIFT;
        Page page = pages.get(key);
        if (page == null) {
            if (patients == 0 && assessed == 0) return;
            page = new Page();
            pages.put(key, page);
        }
        applyOn(page, (int) (day & (PAGE_DAYS - 1)), day, patients, assessed);
        if (page.used == 0) pages.remove(key);
    }

    private void applyOn(Page page, int index, long day, long patients, long assessed) {
        long bit = 1L << index;
        int slot = page.slot(index);
        boolean wasThere = (page.used & bit) != 0;
        long p0 = wasThere ? page.counts[slot] : 0;
        long a0 = wasThere ? page.counts[slot + 1] : 0;
        long p1 = Math.addExact(p0, patients);
        long a1 = Math.addExact(a0, assessed);
        boolean isThere = p1 != 0 || a1 != 0;
        if (wasThere && isThere) {
            page.counts[slot] = p1;
            page.counts[slot + 1] = a1;
        } else if (isThere) {
            page.insert(slot, bit, p1, a1);
        } else if (wasThere) {
            page.remove(slot, bit);
        }
        boolean wasConsistent = consistent(p0, a0);
        boolean nowConsistent = consistent(p1, a1);
        if (wasConsistent != nowConsistent) inconsistentDates += nowConsistent ? -1 : 1;
        if (sumsBeforeDay != NOT_ASKED && day < sumsBeforeDay) {
            dueBefore = Math.addExact(dueBefore, patients);
            assessedBefore = Math.addExact(assessedBefore, assessed);
        }
    }

    /** {patients, assessed} of one date (a new array), or null when no patient has it. */
    public long[] countsOn(LocalDate windowLastDate) {
        long day = windowLastDate.toEpochDay();
        Page page = pages.get(day >> PAGE_SHIFT);
        int i = (int) (day & (PAGE_DAYS - 1));
        if (page == null || (page.used & (1L << i)) == 0) return null;
        int slot = page.slot(i);
        return new long[] {page.counts[slot], page.counts[slot + 1]};
    }

    public boolean isEmpty() {
        return pages.isEmpty();
    }

    /** The page (epoch day >> 6) a date is counted in: 64 consecutive days, the unit a store may keep together. */
    public static long pageOf(LocalDate date) {
        return date.toEpochDay() >> PAGE_SHIFT;
    }

    /** The first date of a page. */
    public static LocalDate pageStart(long page) {
        return LocalDate.ofEpochDay(page << PAGE_SHIFT);
    }

    /** The pages that hold at least one date with non-zero counts, ascending. */
    public void forEachPage(java.util.function.LongConsumer action) {
        for (Long page : pages.keySet()) action.accept(page);
    }

    /**
     * The non-zero dates of one page as {day in page (0-63), patients, assessed} triples, ascending (a new
     * array), or null when the page holds none: what a store keeps per cell and page.
     */
    public long[] pageEntries(long page) {
        Page p = pages.get(page);
        if (p == null) return null;
        long[] out = new long[3 * p.dates()];
        int j = 0;
        int k = 0;
        for (long bits = p.used; bits != 0; bits &= bits - 1, k += 2) {
            out[j++] = Long.numberOfTrailingZeros(bits);
            out[j++] = p.counts[k];
            out[j++] = p.counts[k + 1];
        }
        return out;
    }

    /** Adds {@link #pageEntries} triples of one page (a store's entry read back). */
    public void adjustPage(long page, long[] entries) {
        if (entries.length % 3 != 0) throw new IllegalArgumentException("page entries come in triples: " + entries.length + " values");
        long firstDay = page << PAGE_SHIFT;
        for (int j = 0; j < entries.length; j += 3) {
            long index = entries[j];
            if (index < 0 || index >= PAGE_DAYS) throw new IllegalArgumentException("day in page out of 0-63: " + index);
            apply(LocalDate.ofEpochDay(firstDay + index), entries[j + 1], entries[j + 2]);
        }
    }

    /** How many dates have non-zero counts. */
    public int dates() {
        int n = 0;
        for (Page p : pages.values()) n += p.dates();
        return n;
    }

    /** No date with negative counts or with more assessed than patients (checked without building a view). */
    public boolean isConsistent() {
        return inconsistentDates == 0;
    }

    private static boolean consistent(long patients, long assessed) {
        return patients >= 0 && assessed >= 0 && assessed <= patients;
    }

    /** Every date with non-zero counts, ascending, without building a map. */
    public void forEachDate(DateCounts action) {
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            long firstDay = e.getKey() << PAGE_SHIFT;
            long[] c = e.getValue().counts;
            int k = 0;
            for (long bits = e.getValue().used; bits != 0; bits &= bits - 1, k += 2) {
                action.accept(LocalDate.ofEpochDay(firstDay + Long.numberOfTrailingZeros(bits)), c[k], c[k + 1]);
            }
        }
    }

    /** Read-only view, ascending by date. */
    public NavigableMap<LocalDate, DueCounts> byWindowLastDate() {
        TreeMap<LocalDate, DueCounts> view = new TreeMap<>();
        forEachDate((d, p, a) -> view.put(d, new DueCounts(p, a)));
        return Collections.unmodifiableNavigableMap(view);
    }

    /**
     * Completeness at a data cut (R2, R33): a window has elapsed when the cut's UTC date is after
     * its last accepted date; due = patients with an elapsed window, assessed = those of them with a
     * chosen assessment.
     */
    public CompletenessEstimate at(Instant dataCut) {
        long cutDay = LocalDate.ofInstant(Objects.requireNonNull(dataCut, "dataCut"), ZoneOffset.UTC).toEpochDay();
        if (cutDay != sumsBeforeDay) {
            long due = 0;
            long assessed = 0;
            for (Map.Entry<Long, Page> e : pages.headMap(cutDay >> PAGE_SHIFT, true).entrySet()) {
                long firstDay = e.getKey() << PAGE_SHIFT;
                long[] c = e.getValue().counts;
                int k = 0;
                for (long bits = e.getValue().used; bits != 0 && firstDay + Long.numberOfTrailingZeros(bits) < cutDay; bits &= bits - 1, k += 2) {
                    due += c[k];
                    assessed += c[k + 1];
                }
            }
            sumsBeforeDay = cutDay;
            dueBefore = due;
            assessedBefore = assessed;
        }
        return CompletenessEstimate.of(dueBefore, assessedBefore);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CompletenessCounts c) || !pages.keySet().equals(c.pages.keySet())) return false;
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            Page mine = e.getValue();
            Page theirs = c.pages.get(e.getKey());
            int length = 2 * mine.dates();
            if (mine.used != theirs.used || !java.util.Arrays.equals(mine.counts, 0, length, theirs.counts, 0, length)) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            Page p = e.getValue();
            int ph = Long.hashCode(p.used);
            for (int k = 0; k < 2 * p.dates(); k++) ph = 31 * ph + Long.hashCode(p.counts[k]);
            h += e.getKey().hashCode() ^ ph;
        }
        return h;
    }

    @Override
    public String toString() {
        return "CompletenessCounts" + byWindowLastDate();
    }
}
