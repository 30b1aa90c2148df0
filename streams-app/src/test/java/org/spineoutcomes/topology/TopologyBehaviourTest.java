package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.bracedConservativeStart;
import static org.spineoutcomes.testing.EventFixtures.correctNrs;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.kyphoplasty;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.retractProcedure;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.AggregateMeasure;
import org.spineoutcomes.schema.AggregateProportion;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.StatisticAbsentReason;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.WelchMeanDifference;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.testing.AvroBytes;
import org.spineoutcomes.testing.SpineTestDriver;

/**
 * The topology's behaviours on small hand-made cohorts, each asserting exact output values.
 * Every patient's index treatment is on 2024-03-01 10:00 UTC (day 0); the test patients are 78-year-old
 * women whose fracture began 20 days before the index (strata AGE_75_84, SEX_F, FRACTURE_AGE_LE_6W).
 */
class TopologyBehaviourTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");

    private static SpineTestDriver driver() {
        return new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK);
    }

    @Test
    void patientOutcomeAggregateAndComparisonOfASmallCohort() {
        try (SpineTestDriver d = driver()) {
            d.pipe(vertebroplasty("p1", "p1-vp", day(0)));
            d.pipe(nrs("p1", "p1-base", day(-2), 8));
            d.pipe(nrs("p1", "p1-m1", day(30), 3));

            PatientOutcome p1 = d.outcomes.get("p1");
            assertEquals(TreatmentArm.VERTEBROPLASTY, p1.getIttArm());
            assertEquals(8.0, p1.getBaselinePain());
            assertEquals(Set.of(Stratum.ALL, Stratum.FRACTURE_AGE_LE_6W, Stratum.BASELINE_PAIN_GE_8, Stratum.AGE_75_84, Stratum.SEX_F),
                    Set.copyOf(p1.getStrata()));
            OutcomeWindow m1 = window(p1, Window.M1);
            assertEquals("p1-m1", m1.getAssessmentId());
            assertEquals(30, m1.getDayNumber());
            assertEquals(3.0, m1.getPain());
            assertEquals(5.0, m1.getPainRelief());          // 8 - 3
            assertEquals(62.5, m1.getPercentRelief());      // 5 / 8 x 100
            assertEquals(true, m1.getMcid2pt());            // 5 >= 2
            assertEquals(true, m1.getRelief30pct());        // 5 x 10 = 50 >= 3 x 8 = 24
            assertEquals(true, m1.getRelief50pct());        // 5 x 2 = 10 >= 8
            assertEquals(true, m1.getLowPain());            // 3 < 4
            assertEquals(TreatmentArm.VERTEBROPLASTY, m1.getAsTreatedArm());

            ArmAggregate cell = d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL");
            assertEquals(1, cell.getPatients());
            assertEquals(1, measure(cell, "pain").getN());
            assertEquals(3.0, measure(cell, "pain").getMean());
            assertEquals(5.0, measure(cell, "painRelief").getMean());
            assertNull(measure(cell, "painRelief").getSd());
            assertEquals(StatisticAbsentReason.N_LT_2, measure(cell, "painRelief").getAbsentReason()); // SD needs n >= 2 (R31)
            assertTrue(d.comparisons.table().isEmpty(), "no comparison without a second arm");

            // A second vertebroplasty patient: baseline 6, M1 pain 4 on day 28 -> relief 2.
            d.pipe(vertebroplasty("p2", "p2-vp", day(0)));
            d.pipe(nrs("p2", "p2-base", day(-1), 6));
            d.pipe(nrs("p2", "p2-m1", day(28), 4));
            cell = d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL");
            assertEquals(2, cell.getPatients());
            assertEquals(3.5, measure(cell, "pain").getMean());        // (3 + 4) / 2
            assertEquals(3.5, measure(cell, "painRelief").getMean());  // (5 + 2) / 2
            // SD of {5, 2}: ((5 - 3.5)^2 + (2 - 3.5)^2) / (2 - 1) = 4.5; sqrt(4.5) (one rounding to double)
            assertEquals(Math.sqrt(4.5), measure(cell, "painRelief").getSd(), 1e-15);
            assertEquals(2, proportion(cell, "MCID_2PT").getSuccesses());      // 5 >= 2 and 2 >= 2
            assertEquals(1, proportion(cell, "RELIEF_50PCT").getSuccesses());  // 2 x 2 = 4 < 6 for p2
            assertEquals(0.5, proportion(cell, "RELIEF_50PCT").getProportion());
            // p2's baseline 6 is below 8: the >= 8 stratum still holds p1 alone.
            ArmAggregate highPain = d.aggregates.get("ITT/VERTEBROPLASTY/M1/BASELINE_PAIN_GE_8");
            assertEquals(1, highPain.getPatients());
            assertEquals(3.0, measure(highPain, "pain").getMean());
            assertEquals(1, d.aggregates.get("ITT/VERTEBROPLASTY/M1/BASELINE_PAIN_LT_8").getPatients());

            // A conservative patient: baseline 7, M1 pain 6 on day 31 -> relief 1.
            d.pipe(bracedConservativeStart("p3", "p3-cons", day(0)));
            d.pipe(nrs("p3", "p3-base", day(-3), 7));
            d.pipe(nrs("p3", "p3-m1", day(31), 6));
            ArmComparison vp = d.comparisons.get("ITT/VP_vs_CONSERVATIVE/M1/ALL");
            assertEquals(TreatmentArm.VERTEBROPLASTY, vp.getFirstArm());
            assertEquals(TreatmentArm.CONSERVATIVE, vp.getSecondArm());
            assertEquals(2, vp.getFirstPatients());
            assertEquals(1, vp.getSecondPatients());
            WelchMeanDifference relief = welch(vp, "painRelief");
            assertEquals(3.5, relief.getMean1());
            assertEquals(1.0, relief.getMean2());
            assertEquals(2.5, relief.getMeanDifference());       // 3.5 - 1, first minus second (R32)
            assertNull(relief.getSe());
            assertEquals(StatisticAbsentReason.N_LT_2, relief.getAbsentReason()); // Welch needs n >= 2 per arm
            assertEquals(-2.5, welch(vp, "pain").getMeanDifference()); // 3.5 - 6
            assertTrue(d.comparisons.table().containsKey("AS_TREATED/VP_vs_CONSERVATIVE/M1/ALL"));
            assertFalse(d.comparisons.table().keySet().stream().anyMatch(k -> k.contains("KP_vs")), "no kyphoplasty patient");
        }
    }

    @Test
    void outcomeIsEmittedOnlyWhenItChangesAndTheDataCutRepublishesAggregates() {
        try (SpineTestDriver d = driver()) {
            d.pipe(vertebroplasty("p1", "p1-vp", day(0)));
            d.pipe(nrs("p1", "p1-base", day(-2), 8));
            d.pipe(nrs("p1", "p1-m1", day(30), 3));
            assertEquals(3, d.outcomes.poll().size(), "each of the three events changed the outcome");
            d.aggregates.poll();
            ArmAggregate m1 = d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL");
            // Default data cut = the largest occurred-at, day 30 (R2); M1 (last day 45) has not elapsed.
            assertEquals(day(30), m1.getDataCut());
            assertEquals(0, m1.getCompleteness().getDue());
            assertEquals(StatisticAbsentReason.NONE_DUE, m1.getCompleteness().getAbsentReason());

            d.pipe(nrs("p1", "p1-m1", day(30), 3));     // exact duplicate (R9)
            d.pipe(nrs("p1", "p1-m1b", day(40), 9));    // in M1 but farther from day 30 than day 30
            d.pipe(nrs("p1", "p1-late", day(901), 2));  // after M24 (541-900): in no window
            // R37: no new fracture, so the patient is censored at the last follow-up day: 40, then 900 (the day-901
            // follow-up is seen, and times stop at day 900). The duplicate changes nothing.
            List<Integer> censoredAt = d.outcomes.poll().stream().map(r -> r.value().getNewFractureTime()).toList();
            assertEquals(List.of(40, 900), censoredAt, "the two new follow-ups moved the censoring day, the duplicate did not");
            assertEquals(false, d.outcomes.get("p1").getNewFractureEvent());
            assertEquals(List.of(), d.aggregates.poll(), "no contribution to an arm aggregate changed");
            assertEquals(List.of(), d.readRejected(), "a duplicate and an out-of-window follow-up are valid");
            assertEquals(3.0, window(d.outcomes.get("p1"), Window.M1).getPain());

            // The out-of-window follow-up moved the cut to day 901; the punctuator re-publishes every cell.
            d.advanceWallClock(Duration.ofSeconds(5));
            Map<String, ArmAggregate> republished = lastByKey(d.aggregates.poll());
            assertEquals(d.aggregates.table().keySet(), republished.keySet(), "every cell re-published");
            m1 = republished.get("ITT/VERTEBROPLASTY/M1/ALL");
            assertEquals(day(901), m1.getDataCut());
            assertEquals(1, m1.getCompleteness().getDue());       // day 901 > 45
            assertEquals(1, m1.getCompleteness().getAssessed());  // the day-30 assessment
            assertEquals(1.0, m1.getCompleteness().getCompleteness());
            ArmAggregate m24 = republished.get("ITT/VERTEBROPLASTY/M24/ALL");
            assertEquals(1, m24.getCompleteness().getDue());      // day 901 > 900
            assertEquals(0.0, m24.getCompleteness().getCompleteness());
            d.advanceWallClock(Duration.ofSeconds(5));
            assertEquals(List.of(), d.aggregates.poll(), "nothing re-published while the cut stands still");
        }
    }

    /** A quiet interval starts a publication round; it runs in 20 ms slices, one per punctuation. */
    private static void publishRound(SpineTestDriver d) {
        d.advanceWallClock(Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) d.advanceWallClock(Duration.ofMillis(20));
    }

    /**
     * A cell that changes and changes back within one publication interval is not re-sent: its value on
     * the topic would repeat. Here the M1 pain of p1 is corrected from 3 to 5 and back to 3.
     */
    @Test
    void anAggregateWhoseValueIsUnchangedIsNotPublishedAgain() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults().withPublishInterval(Duration.ofSeconds(1)), WALL_CLOCK)) {
            d.pipe(vertebroplasty("p1", "p1-vp", day(0)));
            d.pipe(nrs("p1", "p1-base", day(-2), 8));
            d.pipe(nrs("p1", "p1-m1", day(30), 3));
            d.pipe(kyphoplasty("p2", "p2-kp", day(0)));
            d.pipe(nrs("p2", "p2-base", day(-2), 7));
            d.pipe(nrs("p2", "p2-m1", day(30), 2));
            publishRound(d);
            assertEquals(3.0, measure(d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL"), "pain").getMean());
            d.aggregates.poll();
            d.comparisons.poll();

            d.pipe(correctNrs("p1", "p1-m1-c1", "p1-m1", day(30), 5, day(31)));
            d.pipe(correctNrs("p1", "p1-m1-c2", "p1-m1", day(30), 3, day(32)));
            publishRound(d);
            assertEquals(List.of(), d.aggregates.poll(), "M1 is back to pain 3: nothing new to publish");
            assertEquals(List.of(), d.comparisons.poll(), "the KP vs VP comparison at M1 is unchanged too");

            d.pipe(correctNrs("p1", "p1-m1-c3", "p1-m1", day(30), 4, day(33)));
            publishRound(d);
            // A real change is published: p1's M1 cells, 2 populations x 5 strata (ALL, AGE_75_84, SEX_F,
            // FRACTURE_AGE_LE_6W, BASELINE_PAIN_GE_8), and the KP vs VP comparisons in the 4 strata p2 shares.
            assertEquals(10, d.aggregates.poll().size());
            assertEquals(8, d.comparisons.poll().size());
            assertEquals(4.0, measure(d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL"), "pain").getMean());
        }
    }

    @Test
    void followUpsBeforeTheirProcedureWaitAndGiveTheSameResult() {
        List<SpecificRecord> procedureFirst = List.of(
                vertebroplasty("p1", "p1-vp", day(0)), nrs("p1", "p1-base", day(-2), 8), nrs("p1", "p1-m1", day(30), 3));
        List<SpecificRecord> followUpsFirst = List.of(procedureFirst.get(2), procedureFirst.get(1), procedureFirst.get(0));
        try (SpineTestDriver a = driver(); SpineTestDriver b = driver()) {
            a.pipeAll(procedureFirst);

            b.pipe(followUpsFirst.get(0));
            b.pipe(followUpsFirst.get(1));
            PatientOutcome waiting = b.outcomes.get("p1");
            assertNull(waiting.getIttArm());
            assertEquals(AbsentReason.NO_TREATMENT, waiting.getIttArmAbsentReason());
            assertEquals(List.of(), b.aggregates.poll(), "no treatment: in no cell (R12)");
            b.pipe(followUpsFirst.get(2));
            assertEquals(5.0, measure(b.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL"), "painRelief").getMean()); // 8 - 3

            // Aggregates carry the data cut of their last publication; once the punctuator has
            // re-published at the final cut (day 30 in both), the tables are identical.
            a.advanceWallClock(Duration.ofSeconds(5));
            b.advanceWallClock(Duration.ofSeconds(5));
            assertEquals(day(30), b.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL").getDataCut());
            assertSameTables(a.outcomes.table(), b.outcomes.table());
            assertSameTables(a.aggregates.table(), b.aggregates.table());
        }
    }

    @Test
    void correctionMovesTheMeanAndRetractionRemovesThePatientFromEveryCell() {
        try (SpineTestDriver d = driver()) {
            d.pipeAll(List.of(vertebroplasty("p1", "p1-vp", day(0)), nrs("p1", "p1-base", day(-2), 8), nrs("p1", "p1-m1", day(30), 3),
                    vertebroplasty("p2", "p2-vp", day(0)), nrs("p2", "p2-base", day(-1), 6), nrs("p2", "p2-m1", day(28), 4),
                    bracedConservativeStart("p3", "p3-cons", day(0)), nrs("p3", "p3-base", day(-3), 8), nrs("p3", "p3-m1", day(31), 6)));
            assertEquals(3.5, measure(d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL"), "painRelief").getMean()); // (5 + 2) / 2

            // R10: the correction replaces p1's M1 pain 3 by 5: relief 8 - 5 = 3.
            d.pipe(correctNrs("p1", "p1-m1-fix", "p1-m1", day(30), 5, day(35)));
            OutcomeWindow m1 = window(d.outcomes.get("p1"), Window.M1);
            assertEquals("p1-m1", m1.getAssessmentId(), "a corrected event keeps its original's id");
            assertEquals(5.0, m1.getPain());
            ArmAggregate cell = d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL");
            assertEquals(2, cell.getPatients());
            assertEquals(2.5, measure(cell, "painRelief").getMean()); // (3 + 2) / 2
            assertEquals(4.5, measure(cell, "pain").getMean());       // (5 + 4) / 2
            assertEquals("9", measure(cell, "pain").getSumExact());   // 5 + 4
            // p3's relief 8 - 6 = 2; difference 2.5 - 2
            assertEquals(0.5, welch(d.comparisons.get("ITT/VP_vs_CONSERVATIVE/M1/ALL"), "painRelief").getMeanDifference());
            // p1 and p3 both have baseline 8: a comparison in the >= 8 stratum, relief 3 - 2.
            assertEquals(1.0, welch(d.comparisons.get("ITT/VP_vs_CONSERVATIVE/M1/BASELINE_PAIN_GE_8"), "painRelief").getMeanDifference());
            d.aggregates.poll();
            d.comparisons.poll();

            // R12: retracting p1's only procedure takes p1 out of every cell.
            d.pipe(retractProcedure("p1", "p1-vp-del", "p1-vp", day(40)));
            PatientOutcome p1 = d.outcomes.get("p1");
            assertNull(p1.getIttArm());
            assertEquals(AbsentReason.NO_TREATMENT, p1.getIttArmAbsentReason());
            Map<String, ArmAggregate> changed = lastByKey(d.aggregates.poll());
            // p1 was alone in the VP >= 8 stratum: deleted (R30), a tombstone in every window.
            assertTrue(changed.containsKey("ITT/VERTEBROPLASTY/M1/BASELINE_PAIN_GE_8"));
            assertNull(changed.get("ITT/VERTEBROPLASTY/M1/BASELINE_PAIN_GE_8"));
            assertNull(changed.get("AS_TREATED/VERTEBROPLASTY/OVERALL/BASELINE_PAIN_GE_8"));
            assertFalse(d.aggregates.table().keySet().stream().anyMatch(k -> k.startsWith("ITT/VERTEBROPLASTY/") && k.endsWith("/BASELINE_PAIN_GE_8")));
            cell = d.aggregates.get("ITT/VERTEBROPLASTY/M1/ALL");
            assertEquals(1, cell.getPatients());
            assertEquals(2.0, measure(cell, "painRelief").getMean()); // p2 alone: 6 - 4
            Map<String, ArmComparison> comparisons = lastByKey(d.comparisons.poll());
            assertTrue(comparisons.containsKey("ITT/VP_vs_CONSERVATIVE/M1/BASELINE_PAIN_GE_8"));
            assertNull(comparisons.get("ITT/VP_vs_CONSERVATIVE/M1/BASELINE_PAIN_GE_8"), "one side disappeared: tombstone");
            assertEquals(0.0, welch(d.comparisons.get("ITT/VP_vs_CONSERVATIVE/M1/ALL"), "painRelief").getMeanDifference()); // 2 - 2

            // Retracting the only conservative patient's treatment deletes every VP_vs_CONSERVATIVE comparison.
            d.pipe(retractProcedure("p3", "p3-cons-del", "p3-cons", day(40)));
            assertFalse(d.comparisons.table().keySet().stream().anyMatch(k -> k.contains("_vs_CONSERVATIVE")));
            assertFalse(d.aggregates.table().keySet().stream().anyMatch(k -> k.contains("/CONSERVATIVE/")));
            assertTrue(d.comparisons.table().isEmpty());
            assertEquals(1, d.aggregates.get("ITT/VERTEBROPLASTY/OVERALL/ALL").getPatients());
        }
    }

    @Test
    void crossoverKeepsTheIttArmAndMovesAsTreatedWindowsAfterIt() {
        try (SpineTestDriver d = driver()) {
            // Conservative care on day 0, kyphoplasty on day 20: M1 (target 30) is as-treated KYPHOPLASTY (R7, R8).
            d.pipeAll(List.of(bracedConservativeStart("x1", "x1-cons", day(0)), kyphoplasty("x1", "x1-kp", day(20)),
                    nrs("x1", "x1-base", day(-1), 7), nrs("x1", "x1-m1", day(30), 4)));
            // Kyphoplasty on day 30 itself: not strictly before the M1 target, so M1 stays CONSERVATIVE.
            d.pipeAll(List.of(bracedConservativeStart("x2", "x2-cons", day(0)), kyphoplasty("x2", "x2-kp", day(30)),
                    nrs("x2", "x2-base", day(-1), 9), nrs("x2", "x2-m1", day(30), 5)));

            PatientOutcome x1 = d.outcomes.get("x1");
            assertEquals(TreatmentArm.CONSERVATIVE, x1.getIttArm());
            assertTrue(x1.getCrossover());
            assertEquals(TreatmentArm.KYPHOPLASTY, x1.getCrossoverArm());
            assertEquals(20, x1.getCrossoverDayNumber());
            assertEquals(TreatmentArm.CONSERVATIVE, window(x1, Window.W1).getAsTreatedArm()); // target 7 < 20
            assertEquals(TreatmentArm.KYPHOPLASTY, window(x1, Window.M1).getAsTreatedArm());  // 20 < 30
            assertEquals(TreatmentArm.KYPHOPLASTY, x1.getAsTreatedArmOverall());
            assertEquals(TreatmentArm.CONSERVATIVE, x1.getAsTreatedArmPost());                // treatments on days 0-7
            assertEquals(TreatmentArm.CONSERVATIVE, window(d.outcomes.get("x2"), Window.M1).getAsTreatedArm());

            Map<String, ArmAggregate> cells = d.aggregates.table();
            ArmAggregate itt = cells.get("ITT/CONSERVATIVE/M1/ALL");
            assertEquals(2, itt.getPatients());
            assertEquals(4.5, measure(itt, "pain").getMean());             // (4 + 5) / 2
            ArmAggregate kp = cells.get("AS_TREATED/KYPHOPLASTY/M1/ALL");
            assertEquals(1, kp.getPatients());
            assertEquals(3.0, measure(kp, "painRelief").getMean());        // x1: 7 - 4
            ArmAggregate cons = cells.get("AS_TREATED/CONSERVATIVE/M1/ALL");
            assertEquals(1, cons.getPatients());
            assertEquals(4.0, measure(cons, "painRelief").getMean());      // x2: 9 - 5
            assertEquals(2, cells.get("AS_TREATED/CONSERVATIVE/W1/ALL").getPatients());
            assertEquals(2, cells.get("AS_TREATED/KYPHOPLASTY/OVERALL/ALL").getPatients());
            assertEquals(2, cells.get("AS_TREATED/CONSERVATIVE/POST/ALL").getPatients());
            assertFalse(cells.keySet().stream().anyMatch(k -> k.startsWith("ITT/KYPHOPLASTY/")), "ITT stays CONSERVATIVE");
            // Both arms exist as-treated at M1, so the comparison is there: relief 3 - 4.
            assertEquals(-1.0, welch(d.comparisons.get("AS_TREATED/KP_vs_CONSERVATIVE/M1/ALL"), "painRelief").getMeanDifference());
            assertFalse(d.comparisons.table().containsKey("ITT/KP_vs_CONSERVATIVE/M1/ALL"));
        }
    }

    // --- helpers ---

    static OutcomeWindow window(PatientOutcome o, Window w) {
        return o.getWindows().stream().filter(x -> x.getWindow() == w).findFirst().orElseThrow();
    }

    static AggregateMeasure measure(ArmAggregate a, String name) {
        return a.getMeasures().stream().filter(m -> m.getMeasure().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no measure " + name + " in " + a));
    }

    static AggregateProportion proportion(ArmAggregate a, String flag) {
        return a.getProportions().stream().filter(p -> p.getFlag().equals(flag)).findFirst()
                .orElseThrow(() -> new AssertionError("no flag " + flag + " in " + a));
    }

    static WelchMeanDifference welch(ArmComparison c, String measure) {
        return c.getMeanDifferences().stream().filter(m -> m.getMeasure().equals(measure)).findFirst()
                .orElseThrow(() -> new AssertionError("no difference of " + measure + " in " + c));
    }

    /** Last value per key among the records (a null value = a tombstone, kept as a null entry). */
    static <V> Map<String, V> lastByKey(List<TestRecord<String, V>> records) {
        Map<String, V> out = new TreeMap<>();
        for (TestRecord<String, V> r : records) out.put(r.key(), r.value());
        return out;
    }

    static void assertSameTables(Map<String, ? extends SpecificRecord> a, Map<String, ? extends SpecificRecord> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertTrue(AvroBytes.same(a.get(k), b.get(k)), "differs at " + k + ": " + a.get(k) + " vs " + b.get(k));
        }
    }
}
