package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.compute;
import static org.spineoutcomes.schema.ImagingPhase.FOLLOW_UP;
import static org.spineoutcomes.schema.ImagingPhase.POST;
import static org.spineoutcomes.schema.ImagingPhase.PRE;
import static org.spineoutcomes.schema.VertebralLevel.*;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.OutcomeImagingChange;
import org.spineoutcomes.schema.OutcomeLevelImaging;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.schema.Window;

/** Imaging per index level (docs/computation-rules.md R20-R26). The index level is L1 unless stated. */
class OutcomeEngineImagingTest {

    static OutcomeLevelImaging only(PatientOutcome o) {
        assertEquals(1, o.getImagingLevels().size());
        return o.getImagingLevels().get(0);
    }

    @Test
    void workedExample_restorationGainLossGenantKyphosis() {
        // PRE: T12 Ha 24.0, L1 Ha 14.0 (angle 18), L2 Ha 26.0; POST: L1 Ha 19.0 (angle 12).
        // ref = (24 + 26) / 2 = 25.0; loss % = (25 - 14) / 25 x 100 = 44.0 -> Genant 3 (> 40);
        // lost = 25 - 14 = 11.0; gain = 19 - 14 = 5.0; restoration = 5 / 11 x 100 = 45.4545...%;
        // kyphosis correction = 18 - 12 = 6 degrees.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre", day(-2), PRE, level(T12, 24.0, null, null, null, false), level(L1, 14.0, null, null, 18.0, true),
                        level(L2, 26.0, null, null, null, false)).build(),
                study("post", day(1), POST, level(L1, 19.0, null, null, 12.0, false)).build());
        OutcomeLevelImaging l1 = only(o);
        assertEquals(25.0, l1.getAnterior().getReferenceHeightMm());
        assertEquals(44.0, l1.getAnterior().getHeightLossPct(), 1e-12);
        assertEquals(3, l1.getGenantGrade());
        assertEquals(5.0, l1.getAnterior().getHeightGainMm());
        assertEquals(500.0 / 11.0, l1.getAnterior().getRestorationPct(), 1e-12);
        assertEquals(6.0, l1.getKyphosisCorrectionDeg());
        assertEquals(AbsentReason.NOT_REPORTED, l1.getMiddle().getPreHeightMmAbsentReason());
        assertEquals(AbsentReason.NO_REFERENCE_LEVEL, l1.getMiddle().getReferenceHeightMmAbsentReason());
        assertEquals("pre", l1.getPreStudyId());
        assertEquals("post", l1.getPostStudyId());
    }

    @Test
    void referenceSkipsFracturedAndTreatedLevels() {
        // Index L1; T12 flagged fractured, L2 treated on day 30 (never a reference): nearest eligible are T11 (22) and L3 (30).
        // ref = (22 + 30) / 2 = 26.0.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), procedure("p2", day(30), "22511").setLevels(List.of(L2)).build(),
                study("pre", day(-1), PRE, level(T11, 22.0), level(T12, 10.0, 10.0, 10.0, null, true), level(L1, 15.0),
                        level(L2, 12.0), level(L3, 30.0)).build());
        assertEquals(26.0, only(o).getAnterior().getReferenceHeightMm());
    }

    @Test
    void t12AndL1AreAdjacent() {
        // Index L1 with T12 (20) above and L2 (24) below: ref 22.0 (no level between T12 and L1).
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 15.0), level(L2, 24.0)).build());
        assertEquals(22.0, only(o).getPosterior().getReferenceHeightMm());
    }

    @Test
    void onlyOneNeighbour_isTheReference() {
        // Index L5, only L4 (28) above: ref 28.0.
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setLevels(List.of(L5)).build(),
                study("pre", day(-1), PRE, level(L4, 28.0), level(L5, 21.0)).build());
        assertEquals(28.0, only(o).getMiddle().getReferenceHeightMm());
        // loss = (28 - 21) / 28 = 25% exactly -> Genant 2.
        assertEquals(2, only(o).getGenantGrade());
    }

    @Test
    void noEligibleNeighbour_percentagesAbsentMillimetresKept() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(L1, 15.0)).build(),
                study("post", day(2), POST, level(L1, 18.0)).build());
        OutcomeLevelImaging l = only(o);
        assertEquals(AbsentReason.NO_REFERENCE_LEVEL, l.getAnterior().getRestorationPctAbsentReason());
        assertEquals(AbsentReason.NO_REFERENCE_LEVEL, l.getGenantGradeAbsentReason());
        assertEquals(3.0, l.getAnterior().getHeightGainMm());
    }

    @ParameterizedTest(name = "H_pre {0} with ref 25 -> grade {1}")
    @CsvSource({"20.0, 1", "20.25, 0", "18.75, 2", "19.0, 1", "15.0, 2", "14.75, 3", "26.0, 0"})
    void genantBoundariesExact(double hPre, int grade) {
        // ref 25 (L2 = L4 = 25, index L3): loss % = (25 - H) / 25 x 100: 20.0 -> 20% (grade 1, [20,25));
        // 20.25 -> 19% (0); 18.75 -> 25% (2, [25,40]); 19.0 -> 24% (1); 15.0 -> 40% (2, 40 is included);
        // 14.75 -> 41% (3); 26.0 -> -4% (negative: 0).
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setLevels(List.of(L3)).build(),
                study("pre", day(-1), PRE, level(L2, 25.0), level(L3, hPre), level(L4, 25.0)).build());
        assertEquals(grade, only(o).getGenantGrade());
    }

    @Test
    void restorationUndefinedWhenNoHeightLost() {
        // ref 20, H_pre 20: ref - H_pre = 0 -> restoration undefined (R24); loss % 0.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 20.0), level(L2, 20.0)).build(),
                study("post", day(1), POST, level(L1, 21.0)).build());
        assertEquals(AbsentReason.NO_HEIGHT_LOST, only(o).getAnterior().getRestorationPctAbsentReason());
        assertEquals(0.0, only(o).getAnterior().getHeightLossPct());
    }

    @Test
    void referenceEqualToPreAsWritten_hasLostNothing_R35() {
        // The case found by the independent check: ref = (23.1 + 24.3) / 2 = 23.7 and PRE 23.7. As decimals
        // (R35) nothing was lost: restoration undefined, loss 0 %, Genant 0. In binary doubles
        // 23.1 + 24.3 = 47.400000000000006, which used to give a "loss" of 1.8e-15 mm and a
        // restoration of about -2.25e16 %.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre", day(-1), PRE, level(T12, 23.1), level(L1, 23.7), level(L2, 24.3)).build(),
                study("post", day(1), POST, level(L1, 25.0)).build());
        assertEquals(23.7, only(o).getAnterior().getReferenceHeightMm());
        assertEquals(AbsentReason.NO_HEIGHT_LOST, only(o).getAnterior().getRestorationPctAbsentReason());
        assertNull(only(o).getAnterior().getRestorationPct());
        assertEquals(0.0, only(o).getAnterior().getHeightLossPct());
        assertEquals(0, only(o).getGenantGrade());
        // gain = 25.0 - 23.7 = 1.3 mm exactly as decimals (binary subtraction would give 1.3000000000000007).
        assertEquals(1.3, only(o).getAnterior().getHeightGainMm());
    }

    @Test
    void collapseThresholdComparedOnDecimalsAsWritten_R35() {
        // ref = (20.1 + 20.1) / 2 = 20.1; 15 % of it is 3.015 mm. Basis POST 17.9, follow-up 14.885:
        // drop = 3.015 exactly as decimals -> collapse (>=). Binary doubles put 17.9 - 14.885 just below 3.015.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre", day(-1), PRE, level(T12, 20.1), level(L1, 14.0), level(L2, 20.1)).build(),
                study("post", day(1), POST, level(L1, 17.9)).build(),
                study("fu", day(90), FOLLOW_UP, level(L1, 14.885)).build());
        assertEquals(Boolean.TRUE, only(o).getFurtherCollapse());
    }

    @Test
    void phaseDisagreeingWithTiming_isIgnoredAndCounted() {
        // A PRE after the index, a POST on day 8, a FOLLOW_UP before the index: 3 ignored; the day-7 POST counts.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre-late", day(1), PRE, level(L1, 10.0)).build(),
                study("post-d8", day(8), POST, level(L1, 10.0)).build(),
                study("fu-early", day(-1), FOLLOW_UP, level(L1, 10.0)).build(),
                study("post-d7", day(7), POST, level(L1, 18.0)).build());
        assertEquals(3, o.getImagingStudiesIgnored());
        assertEquals("post-d7", only(o).getPostStudyId());
        assertNull(only(o).getPreStudyId());
    }

    @Test
    void latestPreAndPostMeasuringTheLevelAreChosen() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                study("pre-old", day(-9), PRE, level(L1, 10.0)).build(),
                study("pre-new", day(-2), PRE, level(L1, 12.0)).build(),
                study("pre-other", day(-1), PRE, level(L3, 12.0)).build(),
                study("post-a", day(1), POST, level(L1, 15.0)).build(),
                study("post-b", day(3), POST, level(L1, 16.0)).build());
        assertEquals("pre-new", only(o).getPreStudyId());
        assertEquals("post-b", only(o).getPostStudyId());
        assertEquals(4.0, only(o).getAnterior().getHeightGainMm()); // 16 - 12
    }

    @Test
    void furtherCollapseExactlyAt15Percent() {
        // ref 20 (T12 = L2 = 20); POST L1 18.0; FOLLOW_UP L1 15.0: drop 3.0 = 0.15 x 20 -> collapse (>=).
        PatientOutcome yes = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 14.0), level(L2, 20.0)).build(),
                study("post", day(1), POST, level(L1, 18.0)).build(), study("fu", day(90), FOLLOW_UP, level(L1, 15.0)).build());
        assertTrue(only(yes).getFurtherCollapse());
        assertTrue(yes.getFurtherCollapse());
        // FOLLOW_UP 15.01: drop 2.99 < 3 -> no collapse, but comparable: false.
        PatientOutcome no = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 14.0), level(L2, 20.0)).build(),
                study("post", day(1), POST, level(L1, 18.0)).build(), study("fu", day(90), FOLLOW_UP, level(L1, 15.01)).build());
        assertFalse(only(no).getFurtherCollapse());
        assertFalse(no.getFurtherCollapse());
    }

    @Test
    void furtherCollapseBasisIsPreWhenNoPost() {
        // Conservative: basis PRE L1 17.0, ref 20; FOLLOW_UP 14.0: drop 3.0 >= 3.0 -> collapse.
        PatientOutcome o = compute(conservative("c1", INDEX).build(),
                study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 17.0), level(L2, 20.0)).build(),
                study("fu", day(30), FOLLOW_UP, level(L1, 14.0)).build());
        assertTrue(only(o).getFurtherCollapse());
    }

    @Test
    void furtherCollapseAbsentWithoutFollowUpImaging() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 17.0)).build());
        assertEquals(AbsentReason.NO_FOLLOW_UP_IMAGING, only(o).getFurtherCollapseAbsentReason());
        assertEquals(AbsentReason.NO_FOLLOW_UP_IMAGING, o.getFurtherCollapseAbsentReason());
    }

    @Test
    void kyphosisCorrectionOnDecimalsAsWritten_R35() {
        // 12.3 - 10.1 = 2.2 as decimals; in binary doubles it is 2.200000000000001.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(L1, 14.0, null, null, 12.3, true)).build(),
                study("post", day(1), POST, level(L1, 15.0, null, null, 10.1, false)).build());
        assertEquals(2.2, only(o).getKyphosisCorrectionDeg());
    }

    @Test
    void workedExample_changeFromPreNearestTarget() {
        // PRE L1 Ha 14 angle 18. FOLLOW_UP day 80 (Ha 17, angle 15) and day 100 (Ha 16): both 10 from M3's target 90,
        // tie to the earlier (day 80): height change 17 - 14 = 3.0; kyphosis change 18 - 15 = 3.0.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(L1, 14.0, 14.0, 14.0, 18.0, true)).build(),
                study("fu80", day(80), FOLLOW_UP, level(L1, 17.0, 17.0, 17.0, 15.0, false)).build(),
                study("fu100", day(100), FOLLOW_UP, level(L1, 16.0)).build());
        OutcomeImagingChange m3 = only(o).getChangesFromPre().stream().filter(c -> c.getWindow() == Window.M3).findFirst().orElseThrow();
        assertEquals("fu80", m3.getStudyId());
        assertEquals(3.0, m3.getAnteriorChangeMm());
        assertEquals(3.0, m3.getKyphosisChangeDeg());
        OutcomeImagingChange m6 = only(o).getChangesFromPre().stream().filter(c -> c.getWindow() == Window.M6).findFirst().orElseThrow();
        assertEquals(AbsentReason.NO_FOLLOW_UP_IMAGING, m6.getAnteriorChangeMmAbsentReason());
        assertEquals(7, only(o).getChangesFromPre().size());
    }

    @Test
    void indexLevelsAreLevelsOfDayZeroTreatments() {
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setLevels(List.of(L2, T12)).build(),
                procedure("p2", INDEX.plusSeconds(3600), "22514").setLevels(List.of(L4)).build(),
                procedure("p3", day(1), "22514").setLevels(List.of(L5)).build());
        assertEquals(List.of(T12, L2, L4), o.getIndexLevels());
        assertEquals(List.of(T12, L2, L4), o.getImagingLevels().stream().map(OutcomeLevelImaging::getLevel).toList());
    }

    @Test
    void noImaging_reasonsNamePhase() {
        OutcomeLevelImaging l = only(compute(vertebroplasty("p1", INDEX)));
        assertEquals(AbsentReason.NO_PRE_IMAGING, l.getAnterior().getReferenceHeightMmAbsentReason());
        assertEquals(AbsentReason.NO_PRE_IMAGING, l.getFurtherCollapseAbsentReason());
        assertEquals(AbsentReason.NO_POST_IMAGING, l.getAnterior().getPostHeightMmAbsentReason());
        assertEquals(AbsentReason.NO_PRE_IMAGING, l.getKyphosisCorrectionDegAbsentReason());
        assertFalse(l.getCementLeakage());
    }

    @Test
    void absentReasonPrecedence_R19() {
        // PRE measures only the index level L1 (no neighbour: no reference), no POST, no FOLLOW_UP study.
        // R19 order: NO_PRE_IMAGING, NO_POST_IMAGING (values needing POST), NO_FOLLOW_UP_IMAGING (values
        // needing a later study), NO_REFERENCE_LEVEL.
        OutcomeLevelImaging l = only(compute(vertebroplasty("p1", INDEX), study("pre", day(-1), PRE, level(L1, 14.0)).build()));
        assertEquals(AbsentReason.NO_POST_IMAGING, l.getAnterior().getRestorationPctAbsentReason()); // needs POST and a reference
        assertEquals(AbsentReason.NO_REFERENCE_LEVEL, l.getAnterior().getHeightLossPctAbsentReason()); // needs PRE and a reference
        assertEquals(AbsentReason.NO_FOLLOW_UP_IMAGING, l.getFurtherCollapseAbsentReason()); // needs a later study and a reference
    }
}
