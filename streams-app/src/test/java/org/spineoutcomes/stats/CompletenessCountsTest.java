package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Completeness counts answer {@link CompletenessCounts#at} and {@link CompletenessCounts#isConsistent} from
 * sums kept with every change (a cell is published every second, its thousands of dates are not walked
 * each time): the answers must be those of counting the dates again.
 */
class CompletenessCountsTest {

    private static final LocalDate JAN_05 = LocalDate.of(2024, 1, 5);
    private static final LocalDate JAN_10 = LocalDate.of(2024, 1, 10);
    private static final LocalDate JAN_20 = LocalDate.of(2024, 1, 20);
    private static final LocalDate FEB_01 = LocalDate.of(2024, 2, 1);
    private static final LocalDate FEB_02 = LocalDate.of(2024, 2, 2);

    @Test
    void dueAndAssessedFollowEveryChangeAfterTheCutWasAskedFor() {
        CompletenessCounts c = new CompletenessCounts();
        c.add(JAN_10, true);
        c.add(JAN_20, false);
        c.add(FEB_01, true);
        Instant cut = Instant.parse("2024-01-25T12:00:00Z");
        // windows ending Jan 10 and Jan 20 have elapsed; one of their two patients was assessed
        assertDue(c.at(cut), 2, 1);

        c.add(JAN_05, false); // before the cut: due 3
        assertDue(c.at(cut), 3, 1);
        c.subtract(JAN_10, true); // the assessed patient leaves
        assertDue(c.at(cut), 2, 0);
        c.add(FEB_02, true); // after the cut: nothing changes
        assertDue(c.at(cut), 2, 0);

        // a later cut: Jan 5, Jan 20 and Feb 1 have elapsed; Feb 2 is the cut's own date, not yet elapsed (R33)
        assertDue(c.at(Instant.parse("2024-02-02T10:00:00Z")), 3, 1);
        // and back to the earlier cut
        assertDue(c.at(cut), 2, 0);
    }

    @Test
    void consistencyIsTrackedPerDateAsCountsComeAndGo() {
        CompletenessCounts c = new CompletenessCounts();
        assertTrue(c.isConsistent());
        c.subtract(JAN_10, false); // a subtraction before its addition: -1 patients
        assertFalse(c.isConsistent());
        c.adjust(JAN_20, 1, 2); // more assessed than patients on a second date
        assertFalse(c.isConsistent());
        c.add(JAN_10, false); // the first date is back to nothing
        assertFalse(c.isConsistent());
        c.adjust(JAN_20, 1, 0); // 2 patients, 2 assessed
        assertTrue(c.isConsistent());
        CompletenessCounts copy = c.copy();
        copy.subtract(JAN_20, false); // 1 patient, 2 assessed in the copy only
        assertFalse(copy.isConsistent());
        assertTrue(c.isConsistent());
    }

    @Test
    void keptSumsEqualARecountOverRandomChanges() {
        Random random = new Random(7);
        CompletenessCounts kept = new CompletenessCounts();
        Instant cut = Instant.parse("2024-06-15T00:00:00Z");
        kept.at(cut); // from here on the sums before the cut are kept
        for (int i = 0; i < 5_000; i++) {
            LocalDate date = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(360));
            long patients = random.nextInt(5) - 2;
            long assessed = random.nextInt(3) - 1;
            kept.adjust(date, patients, assessed);
            if (i % 97 == 0) {
                CompletenessCounts recount = new CompletenessCounts();
                long inconsistent = 0;
                for (var e : kept.byWindowLastDate().entrySet()) {
                    recount.adjust(e.getKey(), e.getValue().patients(), e.getValue().assessed());
                    CompletenessCounts.DueCounts d = e.getValue();
                    if (d.patients() < 0 || d.assessed() < 0 || d.assessed() > d.patients()) inconsistent++;
                }
                CompletenessEstimate expected = recount.at(cut);
                CompletenessEstimate actual = kept.at(cut);
                assertEquals(expected.due(), actual.due(), "due after change " + i);
                assertEquals(expected.assessed(), actual.assessed(), "assessed after change " + i);
                assertEquals(inconsistent == 0, kept.isConsistent(), "consistency after change " + i);
            }
        }
    }

    // Counts live in pages of 64 days (epoch day >> 6): 1970-01-01 is day 0, 1969-12-31 day -1 (page -1),
    // 1970-03-05 day 63 (last of page 0), 1970-03-06 day 64 (first of page 1).
    private static final LocalDate DAY_MINUS_1 = LocalDate.of(1969, 12, 31);
    private static final LocalDate DAY_0 = LocalDate.of(1970, 1, 1);
    private static final LocalDate DAY_63 = LocalDate.of(1970, 3, 5);
    private static final LocalDate DAY_64 = LocalDate.of(1970, 3, 6);

    /** Five patients: day 64 assessed, day -1, day 63 assessed, day 0, day 63 again. */
    private static CompletenessCounts aroundPageBoundaries() {
        CompletenessCounts c = new CompletenessCounts();
        c.add(DAY_64, true);
        c.add(DAY_MINUS_1, false);
        c.add(DAY_63, true);
        c.add(DAY_0, false);
        c.add(DAY_63, false);
        return c;
    }

    @Test
    void datesAroundPageBoundariesAndBefore1970AreCountedOnce() {
        assertEquals(63, DAY_63.toEpochDay());
        CompletenessCounts c = aroundPageBoundaries();
        java.util.List<String> seen = new java.util.ArrayList<>();
        c.forEachDate((d, patients, assessed) -> seen.add(d + "=" + patients + "/" + assessed));
        assertEquals(java.util.List.of("1969-12-31=1/0", "1970-01-01=1/0", "1970-03-05=2/1", "1970-03-06=1/1"), seen, "ascending, one entry per date");
        assertEquals(4, c.dates());
        // A cut on 1970-03-06: days -1, 0 and 63 have elapsed (4 patients, 1 assessed), day 64 is the cut's own date.
        assertDue(c.at(Instant.parse("1970-03-06T08:00:00Z")), 4, 1);
        // A cut on 1970-03-05: only days -1 and 0.
        assertDue(c.at(Instant.parse("1970-03-05T23:59:59Z")), 2, 0);
        assertEquals(java.util.Arrays.toString(new long[] {2, 1}), java.util.Arrays.toString(c.countsOn(DAY_63)));
        // Everything taken out again: empty, and equal to a fresh instance.
        c.subtract(DAY_64, true);
        c.subtract(DAY_MINUS_1, false);
        c.subtract(DAY_63, true);
        c.subtract(DAY_0, false);
        c.subtract(DAY_63, false);
        assertTrue(c.isEmpty());
        assertEquals(0, c.dates());
        assertEquals(new CompletenessCounts(), c);
        assertEquals(null, c.countsOn(DAY_63));
    }

    @Test
    void aPageListsItsDatesAsTriples_andReadsBackEqual() {
        // Day -1 is the last day (63) of page -1, which starts on day -64 (1969-10-29); days 0 and 63 are in
        // page 0; day 64 (1970-03-06) starts page 1.
        assertEquals(-1, CompletenessCounts.pageOf(DAY_MINUS_1));
        assertEquals(0, CompletenessCounts.pageOf(DAY_63));
        assertEquals(1, CompletenessCounts.pageOf(DAY_64));
        assertEquals(LocalDate.of(1969, 10, 29), CompletenessCounts.pageStart(-1));
        assertEquals(DAY_64, CompletenessCounts.pageStart(1));
        CompletenessCounts c = aroundPageBoundaries();
        java.util.List<Long> pages = new java.util.ArrayList<>();
        c.forEachPage(pages::add);
        assertEquals(java.util.List.of(-1L, 0L, 1L), pages);
        assertEquals("[63, 1, 0]", java.util.Arrays.toString(c.pageEntries(-1)));
        assertEquals("[0, 1, 0, 63, 2, 1]", java.util.Arrays.toString(c.pageEntries(0)));
        assertEquals("[0, 1, 1]", java.util.Arrays.toString(c.pageEntries(1)));
        assertEquals(null, c.pageEntries(2), "no date in page 2");

        CompletenessCounts back = new CompletenessCounts();
        for (long page : pages) back.adjustPage(page, c.pageEntries(page));
        assertEquals(c, back);
        assertDue(back.at(Instant.parse("1970-03-06T08:00:00Z")), 4, 1);

        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> back.adjustPage(0, new long[] {64, 1, 0}));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> back.adjustPage(0, new long[] {1, 1}));
    }

    /**
     * A page keeps only its days with counts, in day order (sparse: a patient's change touches a day or two):
     * days come and go in the middle of a page, pages fill to all 64 days and empty again. Checked against a
     * plain map of dates after every change, over three pages around day 0, including merges of other counts.
     */
    @Test
    void sparsePagesAgreeWithAPlainMapOfDates_asDaysComeAndGo() {
        Random random = new Random(11);
        CompletenessCounts counts = new CompletenessCounts();
        java.util.TreeMap<LocalDate, long[]> model = new java.util.TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            CompletenessCounts change = new CompletenessCounts();
            int dates = 1 + random.nextInt(i % 500 == 0 ? 100 : 3);
            for (int d = 0; d < dates; d++) {
                LocalDate date = DAY_MINUS_1.plusDays(random.nextInt(192) - 63); // pages -1, 0, 1
                long patients = random.nextInt(3) - 1;
                long assessed = random.nextInt(3) - 1;
                change.adjust(date, patients, assessed);
                long[] m = model.computeIfAbsent(date, k -> new long[2]);
                m[0] += patients;
                m[1] += assessed;
                if (m[0] == 0 && m[1] == 0) model.remove(date);
            }
            counts.merge(change);
            if (i % 37 == 0 || i > 19_900) assertSameAs(model, counts, "after change " + i);
        }
        assertTrue(counts.dates() > 100, "pages were filled: " + counts.dates() + " dates");
        // Emptied again, date by date, through the middle of each page.
        java.util.List<LocalDate> dates = new java.util.ArrayList<>(model.keySet());
        java.util.Collections.shuffle(dates, random);
        for (LocalDate date : dates) {
            long[] m = model.remove(date);
            counts.adjust(date, -m[0], -m[1]);
            if (model.size() % 17 == 0) assertSameAs(model, counts, model.size() + " dates left");
        }
        assertTrue(counts.isEmpty());
        assertEquals(new CompletenessCounts(), counts);
    }

    private static void assertSameAs(java.util.TreeMap<LocalDate, long[]> model, CompletenessCounts counts, String when) {
        java.util.TreeMap<LocalDate, String> expected = new java.util.TreeMap<>();
        model.forEach((d, m) -> expected.put(d, m[0] + "/" + m[1]));
        java.util.TreeMap<LocalDate, String> actual = new java.util.TreeMap<>();
        counts.forEachDate((d, p, a) -> actual.put(d, p + "/" + a));
        assertEquals(expected, actual, when);
        assertEquals(model.size(), counts.dates(), when);
        for (long page = -1; page <= 1; page++) {
            long[] entries = counts.pageEntries(page);
            StringBuilder fromModel = new StringBuilder();
            long first = page << 6;
            model.subMap(LocalDate.ofEpochDay(first), LocalDate.ofEpochDay(first + 64)).forEach((d, m) ->
                    fromModel.append(fromModel.length() == 0 ? "" : ", ").append(d.toEpochDay() - first).append(", ").append(m[0]).append(", ").append(m[1]));
            assertEquals(fromModel.length() == 0 ? "null" : "[" + fromModel + "]", entries == null ? "null" : java.util.Arrays.toString(entries),
                    "page " + page + " " + when);
        }
        LocalDate probe = DAY_MINUS_1.plusDays(-63 + (model.size() * 7) % 192);
        long[] m = model.get(probe);
        assertEquals(m == null ? null : java.util.Arrays.toString(m), counts.countsOn(probe) == null ? null : java.util.Arrays.toString(counts.countsOn(probe)), when);
        boolean consistent = model.values().stream().allMatch(v -> v[0] >= 0 && v[1] >= 0 && v[1] <= v[0]);
        assertEquals(consistent, counts.isConsistent(), when);
        long due = 0;
        long assessed = 0;
        for (var e : model.headMap(DAY_0).entrySet()) {
            due += e.getValue()[0];
            assessed += e.getValue()[1];
        }
        CompletenessEstimate at = counts.at(Instant.parse("1970-01-01T12:00:00Z"));
        assertEquals(due, at.due(), "due at day 0 " + when);
        assertEquals(assessed, at.assessed(), "assessed at day 0 " + when);
        CompletenessCounts copy = counts.copy();
        assertEquals(counts, copy, when);
        assertEquals(counts.hashCode(), copy.hashCode(), when);
    }

    private static void assertDue(CompletenessEstimate e, long due, long assessed) {
        assertEquals(due, e.due(), "due");
        assertEquals(assessed, e.assessed(), "assessed");
    }
}
