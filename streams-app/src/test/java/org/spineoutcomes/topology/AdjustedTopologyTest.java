package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.complication;
import static org.spineoutcomes.testing.EventFixtures.correctNrs;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.followUp;
import static org.spineoutcomes.testing.EventFixtures.INDEX_DATE;
import static org.spineoutcomes.testing.EventFixtures.kyphoplasty;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.retractProcedure;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.AdjustedStatisticAbsentReason;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.LogRankComparison;
import org.spineoutcomes.schema.SurvivalPointEstimate;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.testing.SpineTestDriver;

/**
 * The stream's R36-R38 records on hand-made cohorts, values worked by hand (docs/computation-rules.md):
 * they appear, move with corrections and retractions, and are deleted (tombstones) when they stop
 * existing. Every fixture patient is a 78-year-old woman whose fracture began 20 days before the index
 * (2024-03-01), so a patient's pattern depends only on its baseline pain: GE_8 or LT_8.
 */
class AdjustedTopologyTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String KP_VP_M1 = "ITT/KP_vs_VP/M1/painRelief";
    static final String HIGH = "AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W";
    static final String LOW = "AGE_75_84/SEX_F/BASELINE_PAIN_LT_8/FRACTURE_AGE_LE_6W";

    /** A patient treated on day 0 with baseline NRS on day -1 and M1 NRS on day 30. */
    private static void patient(SpineTestDriver d, String id, boolean kyphoplasty, int baseline, int m1) {
        d.pipe(kyphoplasty ? kyphoplasty(id, id + "-proc", day(0)) : vertebroplasty(id, id + "-proc", day(0)));
        d.pipe(nrs(id, id + "-base", day(-1), baseline));
        d.pipe(nrs(id, id + "-m1", day(30), m1));
    }

    /** As above, every record stamped {@code at}. */
    private static void patient(SpineTestDriver d, String id, boolean kyphoplasty, int baseline, int m1, Instant at) {
        d.pipe(kyphoplasty ? kyphoplasty(id, id + "-proc", day(0)) : vertebroplasty(id, id + "-proc", day(0)), at);
        d.pipe(nrs(id, id + "-base", day(-1), baseline), at);
        d.pipe(nrs(id, id + "-m1", day(30), m1), at);
    }

    @Test
    void standardisedDifference_followsTheRulesTwoPatternExample_thenMovesWithRetractionsAndCorrections() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            // R36's example, KP (first) vs VP (second), pain relief at M1 = baseline - M1 pain.
            // Pattern GE_8 (baseline 8): KP reliefs 3, 5 (mean 4, var 2); VP reliefs 1, 3 (mean 2, var 2).
            patient(d, "k1", true, 8, 5);
            patient(d, "k2", true, 8, 3);
            patient(d, "v1", false, 8, 7);
            patient(d, "v2", false, 8, 5);
            // Pattern LT_8 (baseline 7): KP reliefs 2, 3, 4 (mean 3, var 1); VP reliefs 2, 2, 5 (mean 3, var 3).
            patient(d, "k3", true, 7, 5);
            patient(d, "k4", true, 7, 4);
            patient(d, "k5", true, 7, 3);
            patient(d, "v3", false, 7, 5);
            patient(d, "v4", false, 7, 5);
            patient(d, "v5", false, 7, 2);

            AdjustedComparison c = d.adjustedComparisons.get(KP_VP_M1);
            assertEquals(5, c.getN1());
            assertEquals(5, c.getN2());
            assertEquals(2, c.getUsablePatterns());
            assertEquals(1.0, c.getSharePooled());
            // Weights 4/10, 6/10: 0.4 x (4 - 2) + 0.6 x (3 - 3) = 0.8; variance 0.16 x (1 + 1) + 0.36 x (1/3 + 1) = 0.8.
            assertEquals(0.8, c.getDifference(), 1e-15);
            assertEquals(0.8, c.getVariance(), 1e-15);
            assertEquals(-0.9530, c.getCiLower(), 5e-5);
            assertEquals(2.5530, c.getCiUpper(), 5e-5);
            // Crude: KP {3, 5, 2, 3, 4} mean 3.4, VP {1, 3, 2, 2, 5} mean 2.6.
            assertEquals(0.8, c.getCrudeDifference(), 1e-15);
            assertEquals(List.of(HIGH, LOW), c.getPatterns().stream().map(p -> p.getPattern()).toList());
            assertEquals("8", c.getPatterns().get(0).getSum1());   // 3 + 5
            assertEquals("34", c.getPatterns().get(0).getSumOfSquares1()); // 9 + 25
            assertTrue(d.adjustedComparisons.table().containsKey("ITT/KP_vs_VP/M1/MCID_2PT"));
            assertFalse(d.adjustedComparisons.table().containsKey("ITT/KP_vs_VP/M1/odiChange"), "no ODI reported");
            assertFalse(d.adjustedComparisons.table().keySet().stream().anyMatch(k -> k.contains("CONSERVATIVE")), "no conservative arm");

            // k1 retracted: GE_8 keeps one KP patient, so only LT_8 is usable. Estimate 3 - 3 = 0,
            // variance 1 x (1/3 + 3/3) = 4/3; shares: KP 3 of 4, VP 3 of 5, pooled 6 of 9.
            d.pipe(retractProcedure("k1", "k1-del", "k1-proc", day(40)));
            c = d.adjustedComparisons.get(KP_VP_M1);
            assertEquals(4, c.getN1());
            assertEquals(1, c.getUsablePatterns());
            assertEquals(3, c.getUsableN1());
            assertEquals(0.75, c.getShare1());
            assertEquals(0.6, c.getShare2());
            assertEquals(6.0 / 9, c.getSharePooled(), 1e-15);
            assertEquals(0.0, c.getDifference());
            assertEquals(4.0 / 3, c.getVariance(), 1e-15);
            // Crude: KP {5, 2, 3, 4} mean 3.5 minus VP 2.6.
            assertEquals(0.9, c.getCrudeDifference(), 1e-15);

            // v5's M1 pain corrected from 2 to 5: VP LT_8 reliefs 2, 2, 2 (var 0). Estimate 3 - 2 = 1, variance 1/3.
            d.pipe(correctNrs("v5", "v5-m1-fix", "v5-m1", day(30), 5, day(41)));
            c = d.adjustedComparisons.get(KP_VP_M1);
            assertEquals(1.0, c.getDifference(), 1e-15);
            assertEquals(1.0 / 3, c.getVariance(), 1e-15);
            assertNull(c.getAbsentReason());

            // Every KP patient but k2 retracted: no usable pattern left, the record stays (both arms have values).
            for (String k : List.of("k3", "k4", "k5")) d.pipe(retractProcedure(k, k + "-del", k + "-proc", day(40)));
            c = d.adjustedComparisons.get(KP_VP_M1);
            assertEquals(1, c.getN1());
            assertEquals(0, c.getUsablePatterns());
            assertNull(c.getDifference());
            assertEquals(AdjustedStatisticAbsentReason.NO_USABLE_PATTERN, c.getAbsentReason());

            // The last KP patient retracted: the record is deleted (a tombstone), as are MCID_2PT and every other window's.
            d.adjustedComparisons.poll();
            d.pipe(retractProcedure("k2", "k2-del", "k2-proc", day(40)));
            Map<String, AdjustedComparison> last = TopologyBehaviourTest.lastByKey(d.adjustedComparisons.poll());
            assertTrue(last.containsKey(KP_VP_M1) && last.get(KP_VP_M1) == null, "tombstone of " + KP_VP_M1 + ": " + last.keySet());
            assertTrue(last.containsKey("ITT/KP_vs_VP/M1/MCID_2PT") && last.get("ITT/KP_vs_VP/M1/MCID_2PT") == null);
            assertTrue(d.adjustedComparisons.table().isEmpty(), "nothing left: " + d.adjustedComparisons.table().keySet());
        }
    }

    /** A follow-up on {@code day} reporting a new vertebral fracture dated that day. */
    private static void newFracture(SpineTestDriver d, String patient, int day) {
        d.pipe(followUp(patient, patient + "-nvf", day(day))
                .setComplications(List.of(complication(ComplicationType.NEW_VERTEBRAL_FRACTURE, VertebralLevel.L2, INDEX_DATE.plusDays(day))))
                .build());
    }

    @Test
    void kaplanMeierAndLogRank_followTheRulesExamples_thenMoveAndDisappearWithRetractions() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            // R38's example: KP (A) event day 10, censored day 50; VP (B) events on days 20 and 30.
            d.pipe(kyphoplasty("a1", "a1-proc", day(0)));
            newFracture(d, "a1", 10);
            d.pipe(kyphoplasty("a2", "a2-proc", day(0)));
            d.pipe(nrs("a2", "a2-f", day(50), 3));
            d.pipe(vertebroplasty("b1", "b1-proc", day(0)));
            newFracture(d, "b1", 20);
            d.pipe(vertebroplasty("b2", "b2-proc", day(0)));
            newFracture(d, "b2", 30);

            TimeToEvent km = d.timeToEvent.get("ITT/KYPHOPLASTY/ALL");
            assertEquals(2, km.getKaplanMeier().getPatients());
            assertEquals(1, km.getKaplanMeier().getEvents());
            // Day 10: n = 2, d = 1: S = 0.5. At day 30: at risk 1 (a2, time 50), events 1.
            SurvivalPointEstimate at30 = km.getKaplanMeier().getReported().get(0);
            assertEquals(30, at30.getDay());
            assertEquals(0.5, at30.getSurvival());
            assertEquals(1, at30.getAtRisk());
            assertEquals(1, at30.getEvents());
            LogRankComparison lr = d.timeToEvent.get("ITT/KP_vs_VP/ALL").getLogRank();
            // O_A = 1, E_A = 1/2 + 1/3 + 1/2 = 4/3, V = 1/4 + 2/9 + 1/4 = 13/18, chi-square (1/9) / (13/18) = 2/13.
            assertEquals(1, lr.getObserved1());
            assertEquals(2, lr.getObserved2());
            assertEquals(4.0 / 3, lr.getExpected1(), 1e-15);
            assertEquals(13.0 / 18, lr.getVariance(), 1e-15);
            assertEquals(2.0 / 13, lr.getChiSquare(), 1e-15);
            assertEquals(Math.exp(-6.0 / 13), lr.getHazardRatio(), 1e-15);
            assertTrue(d.timeToEvent.table().containsKey("AS_TREATED/KP_vs_VP/SEX_F"), "every stratum of the patients");
            assertFalse(d.timeToEvent.table().containsKey("ITT/KP_vs_CONSERVATIVE/ALL"), "no conservative cell");

            // b1's report corrected to one without the fracture: b1 is censored on day 20 instead. VP: censored 20, event 30.
            // Day 10: n_A 2, n_B 2 -> E 1/2, V 1/4; day 30: n_A 1, n_B 1, d 1 -> E 1/2, V 1/4. O_A 1, E_A 1, V 1/2: chi-square 0.
            d.pipe(followUp("b1", "b1-nvf-fix", day(20)).setPainNrs(3).setCorrects("b1-nvf").setRecordedAt(day(61)).build());
            lr = d.timeToEvent.get("ITT/KP_vs_VP/ALL").getLogRank();
            assertEquals(1, lr.getObserved2());
            assertEquals(1.0, lr.getExpected1(), 1e-15);
            assertEquals(0.5, lr.getVariance(), 1e-15);
            assertEquals(0.0, lr.getChiSquare());
            assertEquals(1.0, lr.getHazardRatio());
            TimeToEvent vp = d.timeToEvent.get("ITT/VERTEBROPLASTY/ALL");
            assertEquals(1, vp.getKaplanMeier().getEvents());
            assertEquals(2, vp.getKaplanMeier().getDays().size()); // day 20 (1 censored), day 30 (1 event)

            // Both KP patients retracted: their Kaplan-Meier cells and every log-rank pair with KP are deleted.
            d.timeToEvent.poll();
            d.pipe(retractProcedure("a1", "a1-del", "a1-proc", day(60)));
            d.pipe(retractProcedure("a2", "a2-del", "a2-proc", day(60)));
            Map<String, TimeToEvent> last = TopologyBehaviourTest.lastByKey(d.timeToEvent.poll());
            for (String gone : List.of("ITT/KYPHOPLASTY/ALL", "ITT/KP_vs_VP/ALL", "AS_TREATED/KYPHOPLASTY/SEX_F", "AS_TREATED/KP_vs_VP/SEX_F")) {
                assertTrue(last.containsKey(gone) && last.get(gone) == null, "tombstone of " + gone + " in " + last.keySet());
            }
            assertTrue(d.timeToEvent.table().keySet().stream().allMatch(k -> k.contains("/VERTEBROPLASTY/")),
                    "only VP cells remain: " + d.timeToEvent.table().keySet());
        }
    }

    @Test
    void publicationIsCoalescedOnTheWallClock_andFoldedChangesGiveTheSameRecords() {
        TopologySettings settings = TopologySettings.defaults().withDeltaFlushInterval(Duration.ofMillis(100))
                .withPublishInterval(Duration.ofSeconds(1));
        try (SpineTestDriver d = new SpineTestDriver(settings, WALL_CLOCK)) {
            patient(d, "k1", true, 8, 5);
            patient(d, "k2", true, 8, 3);
            patient(d, "v1", false, 8, 7);
            patient(d, "v2", false, 8, 5);
            assertTrue(d.adjustedComparisons.poll().isEmpty(), "nothing before the patient step's flush");
            d.advanceWallClock(Duration.ofMillis(100)); // one outcome per patient, one batch per population
            settle(d);
            List<TestRecord<String, AdjustedComparison>> published = d.adjustedComparisons.poll();
            // Each record once, although twelve events moved it: ITT and AS_TREATED x (MCID_2PT, painRelief) at M1.
            assertEquals(List.of("AS_TREATED/KP_vs_VP/M1/MCID_2PT", "AS_TREATED/KP_vs_VP/M1/painRelief",
                    "ITT/KP_vs_VP/M1/MCID_2PT", KP_VP_M1), published.stream().map(TestRecord::key).sorted().toList());
            AdjustedComparison c = d.adjustedComparisons.get(KP_VP_M1);
            assertEquals(2.0, c.getDifference(), 1e-15); // one pattern: 4 - 2
            assertEquals(2.0, c.getVariance(), 1e-15);   // 1 x (2/2 + 2/2)
            // Kaplan-Meier: 2 populations x 2 arms x 5 strata (ALL, fracture age, baseline pain, age, sex); log-rank: 2 x 5. Each once.
            List<TestRecord<String, TimeToEvent>> tte = d.timeToEvent.poll();
            assertEquals(30, tte.size());
            assertEquals(30, tte.stream().map(TestRecord::key).distinct().count());

            // A correction: v2's M1 pain 5 -> 6 (relief 2). Only the records of M1 pain relief and MCID_2PT move.
            d.pipe(correctNrs("v2", "v2-m1-fix", "v2-m1", day(30), 6, day(41)));
            d.advanceWallClock(Duration.ofMillis(100));
            settle(d);
            assertEquals(4, d.adjustedComparisons.poll().size());
            assertEquals(2.5, d.adjustedComparisons.get(KP_VP_M1).getDifference(), 1e-15); // 4 - (1 + 2) / 2
            assertTrue(d.timeToEvent.poll().isEmpty(), "no time to event changed: the correction is on day 30 like the original");
        }
    }

    /**
     * While catching up (the newest input is far older than the wall clock: a backfill) a round waits 10
     * publish intervals after the last, so a stream of changes every 500 ms publishes nothing for 8 s; when the
     * input stops, the final values come out one interval later. Live (input stamped at the wall clock), the
     * same stream publishes about once a second.
     */
    @Test
    void whileCatchingUp_roundsAreTenIntervalsApart_andTheFinalValuesComeOutWhenTheInputStops() {
        assertEquals(0, publicationsDuringAStreamOfChanges(WALL_CLOCK.minus(Duration.ofDays(30))), "catching up");
        assertTrue(publicationsDuringAStreamOfChanges(WALL_CLOCK) >= 3, "live: about one round a second");
    }

    /**
     * With spine.adjusted.publish.interval.ms = 5 s, live input every 500 ms for 8 s moves KP_VP_M1 with every
     * patient, but its rounds start at least 5 s apart (1 or 2 in 8 s, where the 1 s interval gives about one a
     * second), while the cell step's aggregates keep their 1 s pace; when the input stops, the final record
     * comes out one publish interval later, not five.
     */
    @Test
    void adjustedRecordsWaitTheirOwnLiveInterval_andStillComeOutOneIntervalAfterTheInputStops() {
        TopologySettings settings = TopologySettings.defaults().withDeltaFlushInterval(Duration.ofMillis(100))
                .withPublishInterval(Duration.ofSeconds(1)).withAdjustedPublishInterval(Duration.ofSeconds(5));
        try (SpineTestDriver d = new SpineTestDriver(settings, WALL_CLOCK)) {
            patient(d, "k1", true, 8, 5, WALL_CLOCK);
            patient(d, "k2", true, 8, 3, WALL_CLOCK);
            patient(d, "v1", false, 8, 7, WALL_CLOCK);
            patient(d, "v2", false, 8, 5, WALL_CLOCK);
            settle(d);
            assertEquals(2, d.adjustedComparisons.get(KP_VP_M1).getN1(), "the first round publishes at once");
            d.adjustedComparisons.poll();
            d.aggregates.poll();
            int adjustedDuring = 0;
            int aggregatesDuring = 0;
            for (int i = 0; i < 16; i++) {
                patient(d, "k" + (i + 3), true, 8, 4, WALL_CLOCK.plusSeconds(3).plusMillis(500L * i));
                for (int t = 0; t < 10; t++) d.advanceWallClock(Duration.ofMillis(50));
                adjustedDuring += (int) d.adjustedComparisons.poll().stream().filter(r -> r.key().equals(KP_VP_M1)).count();
                aggregatesDuring += (int) d.aggregates.poll().stream().filter(r -> r.key().equals("ITT/KYPHOPLASTY/M1/ALL")).count();
            }
            assertTrue(adjustedDuring >= 1 && adjustedDuring <= 2, "rounds at least 5 s apart in 8 s: " + adjustedDuring);
            assertTrue(aggregatesDuring >= 5, "the cell step keeps its 1 s interval: " + aggregatesDuring);
            d.advanceWallClock(Duration.ofMillis(1_000)); // quiet for one publish interval
            for (int i = 0; i < 10; i++) d.advanceWallClock(Duration.ofMillis(50));
            assertEquals(18, d.adjustedComparisons.get(KP_VP_M1).getN1(), "2 + 16 kyphoplasty patients, 1.5 s after the input stopped");
        }
    }

    /** Live input after a backfill: the round scheduled at the catch-up pace is brought forward to the live one (both steps). */
    @Test
    void liveInputAfterABackfill_isPublishedAtTheLivePace() {
        TopologySettings settings = TopologySettings.defaults().withDeltaFlushInterval(Duration.ofMillis(100))
                .withPublishInterval(Duration.ofSeconds(1));
        Instant backfill = WALL_CLOCK.minus(Duration.ofDays(30));
        try (SpineTestDriver d = new SpineTestDriver(settings, WALL_CLOCK)) {
            patient(d, "k1", true, 8, 5, backfill);
            patient(d, "k2", true, 8, 3, backfill);
            patient(d, "v1", false, 8, 7, backfill);
            patient(d, "v2", false, 8, 5, backfill);
            settle(d); // 3 s of wall clock; the round after the backfill sets the next one 10 intervals away
            assertEquals(2, d.adjustedComparisons.get(KP_VP_M1).getN1());
            d.aggregates.poll();
            int during = 0;
            int aggregatesDuring = 0;
            for (int i = 0; i < 8; i++) {
                patient(d, "k" + (i + 3), true, 8, 4, WALL_CLOCK.plusSeconds(3).plusMillis(500L * i));
                for (int t = 0; t < 10; t++) d.advanceWallClock(Duration.ofMillis(50));
                during += (int) d.adjustedComparisons.poll().stream().filter(r -> r.key().equals(KP_VP_M1)).count();
                aggregatesDuring += (int) d.aggregates.poll().stream().filter(r -> r.key().equals("ITT/KYPHOPLASTY/M1/ALL")).count();
            }
            assertTrue(during >= 2, "rounds about a second apart once the input is live: " + during);
            assertTrue(aggregatesDuring >= 2, "the cell step too: " + aggregatesDuring);
        }
    }

    /**
     * KP_VP_M1 publications while 16 kyphoplasty patients arrive 500 ms apart, their records stamped
     * {@code stamped}; checks the final record after the input stops.
     */
    private static int publicationsDuringAStreamOfChanges(Instant stamped) {
        TopologySettings settings = TopologySettings.defaults().withDeltaFlushInterval(Duration.ofMillis(100))
                .withPublishInterval(Duration.ofSeconds(1));
        try (SpineTestDriver d = new SpineTestDriver(settings, WALL_CLOCK)) {
            patient(d, "k1", true, 8, 5, stamped);
            patient(d, "k2", true, 8, 3, stamped);
            patient(d, "v1", false, 8, 7, stamped);
            patient(d, "v2", false, 8, 5, stamped);
            settle(d);
            assertEquals(2, d.adjustedComparisons.get(KP_VP_M1).getN1(), "the first round publishes at once");
            d.adjustedComparisons.poll();
            int during = 0;
            for (int i = 0; i < 16; i++) {
                patient(d, "k" + (i + 3), true, 8, 4, stamped.plusMillis(500L * (i + 1)));
                for (int t = 0; t < 10; t++) d.advanceWallClock(Duration.ofMillis(50));
                during += (int) d.adjustedComparisons.poll().stream().filter(r -> r.key().equals(KP_VP_M1)).count();
            }
            settle(d);
            assertEquals(18, d.adjustedComparisons.get(KP_VP_M1).getN1(), "2 + 16 kyphoplasty patients, once the input stopped");
            assertEquals(2, d.adjustedComparisons.get(KP_VP_M1).getN2());
            return during;
        }
    }

    /**
     * One publication interval, then enough checks (every 50 ms) for a round cut into slices of 20 ms of
     * thread time to finish on a slow machine: each check publishes at least one record.
     */
    private static void settle(SpineTestDriver d) {
        d.advanceWallClock(Duration.ofSeconds(1));
        for (int i = 0; i < 40; i++) d.advanceWallClock(Duration.ofMillis(50));
    }
}
