package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.compute;
import static org.spineoutcomes.schema.ImagingPhase.POST;
import static org.spineoutcomes.schema.ImagingPhase.PRE;
import static org.spineoutcomes.schema.VertebralLevel.*;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;

class CellContributionsTest {

    @Test
    void vertebroplastyPatient_cellsAndValues() {
        // Strata: ALL, FRACTURE_AGE_LE_6W (20 days), BASELINE_PAIN_GE_8 (8), AGE_75_84 (78), SEX_F = 5.
        // Cells: 2 populations x 10 windows (8 score + POST + OVERALL) x 5 strata = 100 (one arm each).
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("b", day(-1), 8), nrs("m", day(30), 3),
                study("pre", day(-1), PRE, level(T12, 24.0), level(L1, 14.0), level(L2, 26.0)).build(),
                study("post", day(1), POST, level(L1, 19.0)).build());
        Map<CellKey, Contribution> cells = CellContributions.of(o);
        assertEquals(100, cells.size());
        Contribution m1 = cells.get(new CellKey("ITT", "VERTEBROPLASTY", "M1", "BASELINE_PAIN_GE_8"));
        assertEquals(List.of(3.0), m1.values().get(Measures.PAIN));
        assertEquals(List.of(5.0), m1.values().get(Measures.PAIN_RELIEF));     // 8 - 3
        assertEquals(List.of(62.5), m1.values().get(Measures.PERCENT_RELIEF)); // 5 / 8 x 100
        assertEquals(List.of(true), m1.flags().get(Measures.RELIEF_50PCT));
        assertEquals(8.0, m1.pairs().get(Measures.PAIN_PAIR).get(0)[0]);
        assertEquals(3.0, m1.pairs().get(Measures.PAIN_PAIR).get(0)[1]);
        assertEquals(INDEX_DATE.plusDays(45), m1.windowLastDate()); // M1 last accepted day 45
        assertTrue(m1.assessed());
        Contribution baseline = cells.get(new CellKey("AS_TREATED", "VERTEBROPLASTY", "BASELINE", "ALL"));
        assertEquals(INDEX_DATE, baseline.windowLastDate()); // BASELINE last accepted day 0 (R14: day 0 before the instant)
        assertNull(baseline.flags().get(Measures.LOW_PAIN)); // no flags at BASELINE
        Contribution w1 = cells.get(new CellKey("ITT", "VERTEBROPLASTY", "W1", "ALL"));
        assertFalse(w1.assessed());
        assertTrue(w1.values().isEmpty());
        Contribution post = cells.get(new CellKey("ITT", "VERTEBROPLASTY", "POST", "SEX_F"));
        assertEquals(500.0 / 11.0, post.values().get(Measures.RESTORATION_PCT_ANTERIOR).get(0), 1e-12); // 5 / 11 x 100
        assertEquals(List.of(5.0), post.values().get(Measures.HEIGHT_GAIN_ANTERIOR_MM));
        assertNull(post.windowLastDate());
        Contribution overall = cells.get(new CellKey("ITT", "VERTEBROPLASTY", "OVERALL", "ALL"));
        assertEquals(List.of(false), overall.flags().get(Measures.ANY_COMPLICATION));
        assertEquals(List.of(false), overall.flags().get(Measures.COMPLICATION_PREFIX + "DEATH"));
        assertEquals(List.of(false), overall.flags().get(Measures.CEMENT_LEAKAGE_PER_LEVEL)); // one index level
        assertEquals(List.of(false), overall.flags().get(Measures.MEDICATION_STARTED));
        assertNull(overall.values().get(Measures.DAYS_TO_MEDICATION));
    }

    @Test
    void crossoverPatient_asTreatedArmsPerWindow() {
        // Conservative day 0, KP day 20 (L1), leak at L1 on day 21: ITT always CONSERVATIVE;
        // AS_TREATED: W1 CONSERVATIVE, M1 KYPHOPLASTY, POST (days 0-7) CONSERVATIVE, OVERALL KYPHOPLASTY.
        PatientOutcome o = compute(conservative("c1", INDEX).setAgeYears(null).setSex(null).setFractureOnsetDate(null).build(),
                procedure("k1", day(20), "22514").build(),
                followUp("f", day(25)).setComplications(List.of(complication(ComplicationType.CEMENT_LEAKAGE, L1, INDEX_DATE.plusDays(21)))).build());
        Map<CellKey, Contribution> cells = CellContributions.of(o);
        assertEquals(20, cells.size()); // stratum ALL only: 2 x 10
        assertTrue(cells.containsKey(new CellKey("ITT", "CONSERVATIVE", "M1", "ALL")));
        assertTrue(cells.containsKey(new CellKey("AS_TREATED", "CONSERVATIVE", "W1", "ALL")));
        assertTrue(cells.containsKey(new CellKey("AS_TREATED", "KYPHOPLASTY", "M1", "ALL")));
        assertTrue(cells.containsKey(new CellKey("AS_TREATED", "CONSERVATIVE", "POST", "ALL")));
        Contribution overall = cells.get(new CellKey("AS_TREATED", "KYPHOPLASTY", "OVERALL", "ALL"));
        assertEquals(List.of(true), overall.flags().get(Measures.COMPLICATION_PREFIX + "CEMENT_LEAKAGE"));
        assertEquals(List.of(true), overall.flags().get(Measures.ANY_COMPLICATION));
        // The conservative start named L1 (the day-0 index level), so the leak counts per index level.
        assertEquals(List.of(true), overall.flags().get(Measures.CEMENT_LEAKAGE_PER_LEVEL));
    }

    @Test
    void medicationDaysContributeAValue() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), followUp("f", day(40)).setMedications(List.of(
                medication(org.spineoutcomes.schema.MedicationClass.VITAMIN_D, INDEX_DATE.plusDays(12)))).build());
        Contribution overall = CellContributions.of(o).get(new CellKey("ITT", "VERTEBROPLASTY", "OVERALL", "ALL"));
        assertEquals(List.of(true), overall.flags().get(Measures.MEDICATION_STARTED));
        assertEquals(List.of(12.0), overall.values().get(Measures.DAYS_TO_MEDICATION));
    }

    /**
     * A follow-up at day 30 (window M1) changes the M1 score window only: every other window's inputs are equal, so
     * a patient update skips computing their contributions; M1's inputs differ (and so does its contribution). An
     * outcome decoded from its bytes has equal inputs to the one computed (the stored outcome meets the new one).
     */
    @Test
    void aFollowUpChangesTheInputsOfItsWindowOnly() {
        List<org.apache.avro.specific.SpecificRecord> events = List.of(vertebroplasty("p1", INDEX), nrs("b", day(-1), 8),
                study("pre", day(-1), PRE, level(T12, 24.0), level(L1, 14.0), level(L2, 26.0)).build(),
                study("post", day(1), POST, level(L1, 19.0)).build());
        PatientOutcome before = compute(events.toArray(new org.apache.avro.specific.SpecificRecord[0]));
        List<org.apache.avro.specific.SpecificRecord> more = new java.util.ArrayList<>(events);
        more.add(nrs("m", day(30), 3));
        PatientOutcome after = compute(more.toArray(new org.apache.avro.specific.SpecificRecord[0]));
        PatientOutcome stored = org.spineoutcomes.serde.FingerprintedAvro.decode(PatientOutcome.class,
                org.spineoutcomes.serde.FingerprintedAvro.encode(before));
        Map<org.spineoutcomes.schema.Window, CellContributions.Slot> was = byWindow(CellContributions.slots(stored));
        Map<org.spineoutcomes.schema.Window, CellContributions.Slot> now = byWindow(CellContributions.slots(after));
        assertEquals(10, now.size());
        now.forEach((window, slot) -> {
            boolean m1 = window == org.spineoutcomes.schema.Window.M1;
            assertEquals(!m1, slot.sameInputsAs(was.get(window)), window.name());
            assertEquals(!m1, slot.contribution().equals(was.get(window).contribution()), window.name());
        });
        byWindow(CellContributions.slots(before)).forEach((window, slot) -> assertTrue(slot.sameInputsAs(was.get(window)), window.name()));
    }

    private static Map<org.spineoutcomes.schema.Window, CellContributions.Slot> byWindow(CellContributions.Slots slots) {
        Map<org.spineoutcomes.schema.Window, CellContributions.Slot> m = new java.util.EnumMap<>(org.spineoutcomes.schema.Window.class);
        for (CellContributions.Slot s : slots.windows()) m.put(s.window(), s);
        return m;
    }
}
