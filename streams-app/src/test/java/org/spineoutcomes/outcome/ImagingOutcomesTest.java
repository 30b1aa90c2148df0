package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.outcome.ExactDecimals.exact;
import static org.spineoutcomes.schema.ImagingPhase.FOLLOW_UP;
import static org.spineoutcomes.schema.ImagingPhase.POST;
import static org.spineoutcomes.schema.ImagingPhase.PRE;
import static org.spineoutcomes.schema.VertebralLevel.*;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.OutcomeLevelImaging;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;

/** R20-R26 straight from {@link ImagingOutcomes}. */
class ImagingOutcomesTest {

    /** VP at L1 on the index instant; imaging as given; cement leak at the given levels. */
    static PatientOutcome.Builder imaging(Set<VertebralLevel> leaks, ImagingEvent... studies) {
        TreatmentHistory history = TreatmentHistory.of(List.of(vertebroplasty("p1", INDEX))).orElseThrow();
        PatientOutcome.Builder out = PatientOutcome.newBuilder();
        new ImagingOutcomes(history, List.of(studies), leaks).writeTo(out);
        return out;
    }

    static OutcomeLevelImaging only(PatientOutcome.Builder out) {
        assertEquals(1, out.getImagingLevels().size());
        return out.getImagingLevels().get(0);
    }

    @ParameterizedTest(name = "H_pre {0} with ref 25 -> grade {1}")
    @CsvSource({"20.1, 0", "20.0, 1", "18.76, 1", "18.75, 2", "15.0, 2", "14.99, 3"})
    void genantGrade_boundariesComparedExactly(double hPre, int grade) {
        // loss x 100 against ref x 20 / 25 / 40 (ref 25: 500 / 625 / 1000):
        // 20.1 -> loss 4.9, 490 < 500 -> 0; 20.0 -> 500 = 500 -> 1; 18.76 -> 624 < 625 -> 1;
        // 18.75 -> 625 -> 2; 15.0 -> 1000 <= 1000 -> 2 (40 % included); 14.99 -> 1001 > 1000 -> 3.
        BigDecimal ref = BigDecimal.valueOf(25);
        assertEquals(grade, ImagingOutcomes.genantGrade(ref.subtract(exact(hPre)), ref));
    }

    @Test
    void postStudyOnDay7Counts_day8IsIgnored() {
        // R21: POST on days 0-7 only.
        PatientOutcome.Builder out = imaging(Set.of(), study("post7", day(7), POST, level(L1, 18.0)).build(),
                study("post8", day(8), POST, level(L1, 19.0)).build());
        assertEquals("post7", only(out).getPostStudyId());
        assertEquals(1, out.getImagingStudiesIgnored());
    }

    @Test
    void reference_meanOfNearestEligibleNeighbours() {
        // Index L1. T12 fractured (skipped) -> nearest eligible above is T11 = 24.0; below L2 = 27.0;
        // ref = (24.0 + 27.0) / 2 = 25.5; loss % = (25.5 - 20.4) / 25.5 x 100 = 5.1 / 25.5 x 100 = 20.
        PatientOutcome.Builder out = imaging(Set.of(), study("pre", day(-1), PRE, level(T11, 24.0),
                level(T12, 10.0, 10.0, 10.0, null, true), level(L1, 20.4), level(L2, 27.0)).build());
        assertEquals(25.5, only(out).getMiddle().getReferenceHeightMm());
        assertEquals(20.0, only(out).getMiddle().getHeightLossPct());
        assertEquals(1, only(out).getGenantGrade()); // 20 % is grade 1
        assertEquals(20.0, only(out).getMaxHeightLossPct());
    }

    @Test
    void furtherCollapse_atLeast15PercentOfReference() {
        // ref 20 (T12 = L2 = 20); basis POST L1 18.0. FOLLOW_UP 15.0: drop 3.0, 3.0 x 100 = 300 >= 20 x 15 = 300 -> collapse.
        ImagingEvent pre = study("pre", day(-1), PRE, level(T12, 20.0), level(L1, 14.0), level(L2, 20.0)).build();
        ImagingEvent post = study("post", day(1), POST, level(L1, 18.0)).build();
        assertTrue(only(imaging(Set.of(), pre, post, study("fu", day(90), FOLLOW_UP, level(L1, 15.0)).build())).getFurtherCollapse());
        // FOLLOW_UP 15.1: drop 2.9, 290 < 300 -> no collapse.
        assertFalse(only(imaging(Set.of(), pre, post, study("fu", day(90), FOLLOW_UP, level(L1, 15.1)).build())).getFurtherCollapse());
    }

    @Test
    void changeFromPre_followUpMinusPreAndKyphosisPreMinusFollowUp() {
        // M3 (target 90): FOLLOW_UP on day 88 nearer than day 95. Heights 18.2 - 17.1 = 1.1 mm exactly
        // (binary doubles give 1.0999999999999979); kyphosis 12.3 - 10.1 = 2.2 degrees.
        ImagingEvent pre = study("pre", day(-1), PRE, level(L1, 17.1, 17.1, 17.1, 12.3, true)).build();
        ImagingEvent near = study("fu88", day(88), FOLLOW_UP, level(L1, 18.2, 18.2, 18.2, 10.1, false)).build();
        ImagingEvent far = study("fu95", day(95), FOLLOW_UP, level(L1, 30.0, 30.0, 30.0, 0.0, false)).build();
        var m3 = only(imaging(Set.of(), pre, near, far)).getChangesFromPre().stream()
                .filter(c -> c.getWindow() == org.spineoutcomes.schema.Window.M3).findFirst().orElseThrow();
        assertEquals("fu88", m3.getStudyId());
        assertEquals(1.1, m3.getAnteriorChangeMm(), 0.0);
        assertEquals(2.2, m3.getKyphosisChangeDeg(), 0.0);
    }

    @Test
    void cementLeakageFlag_isPerGivenLevel() {
        assertTrue(only(imaging(Set.of(L1))).getCementLeakage());
        assertFalse(only(imaging(Set.of(L2))).getCementLeakage());
    }
}
