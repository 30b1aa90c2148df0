package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Window;

/** Windows, pain, relief, flags and questionnaire scores (docs/computation-rules.md R13-R19). */
class OutcomeEngineScoresTest {

    static PatientOutcome compute(Object... events) {
        return OutcomeEngine.compute(DEFAULT_PATIENT, resolved(events));
    }

    /** The events sorted by type, as the patient's event log hands them to the engine. */
    private static ResolvedEvents resolved(Object... events) {
        List<ProcedureEvent> procedures = new ArrayList<>();
        List<ImagingEvent> imaging = new ArrayList<>();
        List<FollowUpEvent> followUps = new ArrayList<>();
        for (Object e : events) {
            if (e instanceof ProcedureEvent x) procedures.add(x);
            else if (e instanceof ImagingEvent x) imaging.add(x);
            else if (e instanceof FollowUpEvent x) followUps.add(x);
            else throw new IllegalArgumentException("not an event: " + e);
        }
        return ResolvedEvents.of(procedures, imaging, followUps);
    }

    static OutcomeWindow window(PatientOutcome o, Window w) {
        return o.getWindows().stream().filter(x -> x.getWindow() == w).findFirst().orElseThrow();
    }

    @Test
    void workedExample_reliefPercentAndFlags() {
        // Baseline NRS 8 (day -2), M1 NRS 3 (day 30): relief = 8 - 3 = 5; percent = 5 / 8 x 100 = 62.5;
        // MCID 5 >= 2 true; 30%: 5 x 10 = 50 >= 3 x 8 = 24 true; 50%: 5 x 2 = 10 >= 8 true; LOW 3 < 4 true.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("b", day(-2), 8), nrs("m1", day(30), 3));
        OutcomeWindow m1 = window(o, Window.M1);
        assertEquals(3.0, m1.getPain());
        assertEquals(5.0, m1.getPainRelief());
        assertEquals(62.5, m1.getPercentRelief());
        assertTrue(m1.getMcid2pt());
        assertTrue(m1.getRelief30pct());
        assertTrue(m1.getRelief50pct());
        assertTrue(m1.getLowPain());
        assertEquals("m1", m1.getAssessmentId());
        assertEquals(30, m1.getDayNumber());
        assertEquals(8.0, o.getBaselinePain());
    }

    @Test
    void flagsAreExact_whereFloatingPointWouldMissTheThreshold() {
        // VAS 70 -> 7.0, VAS 49 -> 4.9: relief 2.1 exactly; 30%: 2.1 x 10 = 21 >= 3 x 7 = 21 -> true.
        // In doubles 7.0 - 4.9 = 2.0999999999999996 and 2.0999999999999996 / 7 < 0.3 would say false.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), vas("b", day(-1), 70.0), vas("m3", day(90), 49.0));
        OutcomeWindow m3 = window(o, Window.M3);
        assertTrue(m3.getRelief30pct());
        assertTrue(m3.getMcid2pt()); // 2.1 >= 2
        assertFalse(m3.getRelief50pct()); // 4.2 >= 7 false
        assertEquals(2.1, m3.getPainRelief(), 0.0); // exact 2.1 rounded once to the nearest double
        assertEquals(30.0, m3.getPercentRelief(), 0.0); // 2.1 / 7 x 100 = 30 exactly
    }

    @Test
    void reliefExactlyTwoAndExactlyHalf_areResponders() {
        // Baseline NRS 4, follow-up NRS 2: relief 2 >= 2 (MCID), 2 x 2 = 4 >= 4 (50%), 2 x 10 = 20 >= 12 (30%); 2 < 4 LOW.
        OutcomeWindow w1 = window(compute(vertebroplasty("p1", INDEX), nrs("b", day(-1), 4), nrs("w", day(7), 2)), Window.W1);
        assertTrue(w1.getMcid2pt());
        assertTrue(w1.getRelief50pct());
        assertTrue(w1.getRelief30pct());
        assertTrue(w1.getLowPain());
    }

    @Test
    void lowPainIsStrict_fourIsNotLow() {
        OutcomeWindow w1 = window(compute(vertebroplasty("p1", INDEX), nrs("w", day(7), 4)), Window.W1);
        assertFalse(w1.getLowPain());
    }

    @Test
    void vasOnly_isDividedByTenUnrounded() {
        // VAS 65.5 mm -> 6.55 on the 0-10 scale.
        OutcomeWindow m1 = window(compute(vertebroplasty("p1", INDEX), vas("m", day(30), 65.5)), Window.M1);
        assertEquals(6.55, m1.getPain(), 0.0);
    }

    @Test
    void nrsAndVas_nrsWins() {
        OutcomeWindow m1 = window(compute(vertebroplasty("p1", INDEX), followUp("m", day(30)).setPainNrs(5).setPainVas(80.0).build()), Window.M1);
        assertEquals(5.0, m1.getPain());
    }

    @Test
    void baselineZero_percentagesUndefinedOthersDefined() {
        // Baseline 0, follow-up 1: relief -1 (MCID false), percent relief and the % flags undefined.
        OutcomeWindow m1 = window(compute(vertebroplasty("p1", INDEX), nrs("b", day(-1), 0), nrs("m", day(30), 1)), Window.M1);
        assertEquals(-1.0, m1.getPainRelief());
        assertFalse(m1.getMcid2pt());
        assertNull(m1.getPercentRelief());
        assertEquals(AbsentReason.BASELINE_ZERO, m1.getPercentReliefAbsentReason());
        assertEquals(AbsentReason.BASELINE_ZERO, m1.getRelief30pctAbsentReason());
        assertEquals(AbsentReason.BASELINE_ZERO, m1.getRelief50pctAbsentReason());
        assertTrue(m1.getLowPain());
    }

    @Test
    void noBaseline_onlyLowPainDefined() {
        OutcomeWindow m1 = window(compute(vertebroplasty("p1", INDEX), nrs("m", day(30), 2)), Window.M1);
        assertTrue(m1.getLowPain());
        assertNull(m1.getMcid2pt());
        assertEquals(AbsentReason.NO_BASELINE, m1.getMcid2ptAbsentReason());
        assertEquals(AbsentReason.NO_BASELINE, m1.getPainReliefAbsentReason());
        assertEquals(AbsentReason.NO_BASELINE, m1.getRelief30pctAbsentReason());
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("m", day(30), 2));
        assertEquals(AbsentReason.NO_ASSESSMENT_IN_WINDOW, window(o, Window.BASELINE).getPainAbsentReason());
        assertEquals(AbsentReason.NO_ASSESSMENT_IN_WINDOW, window(o, Window.M3).getPainAbsentReason());
    }

    @Test
    void baselineWindow_hasNoFlagsOrChanges() {
        OutcomeWindow b = window(compute(vertebroplasty("p1", INDEX), nrs("b", day(-1), 7)), Window.BASELINE);
        assertEquals(7.0, b.getPain());
        assertNull(b.getMcid2pt());
        assertNull(b.getLowPain());
        assertEquals(AbsentReason.NOT_APPLICABLE, b.getLowPainAbsentReason());
        assertEquals(AbsentReason.NOT_APPLICABLE, b.getPainReliefAbsentReason());
    }

    @Test
    void assessmentWithoutPain_isChosenAndPainAbsent() {
        // The ODI-only assessment on day 30 is nearer than the pain one on day 40: chosen as a whole (R15).
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), followUp("odi", day(30)).setOdi(40.0).build(), nrs("pain", day(40), 3));
        OutcomeWindow m1 = window(o, Window.M1);
        assertEquals("odi", m1.getAssessmentId());
        assertEquals(AbsentReason.NO_PAIN_IN_ASSESSMENT, m1.getPainAbsentReason());
        assertEquals(AbsentReason.NO_PAIN_IN_ASSESSMENT, m1.getLowPainAbsentReason());
        assertEquals(40.0, m1.getOdi());
    }

    @Test
    void complicationOnlyReport_isNotAnAssessment() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("c", day(30)).setComplications(List.of(complication(org.spineoutcomes.schema.ComplicationType.INFECTION, null, null))).build(),
                nrs("m", day(40), 3));
        assertEquals("m", window(o, Window.M1).getAssessmentId());
    }

    @Test
    void followUpBeforeProcedure_isBaseline() {
        // The follow-up lies 5 days before the procedure: day -5, baseline.
        PatientOutcome o = compute(nrs("b", day(-5), 9), vertebroplasty("p1", INDEX));
        assertEquals("b", window(o, Window.BASELINE).getAssessmentId());
        assertEquals(-5, window(o, Window.BASELINE).getDayNumber());
    }

    @Test
    void baselineLatestWins() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("b1", day(-10), 9), nrs("b2", day(-3), 7));
        assertEquals(7.0, window(o, Window.BASELINE).getPain());
    }

    @Test
    void baselineDayMinus30Accepted_dayMinus31Not() {
        assertEquals("b", window(compute(vertebroplasty("p1", INDEX), nrs("b", day(-30), 9)), Window.BASELINE).getAssessmentId());
        assertNull(window(compute(vertebroplasty("p1", INDEX), nrs("b", day(-31), 9)), Window.BASELINE).getAssessmentId());
    }

    @Test
    void dayZeroBeforeIndexInstant_isBaselineNotD1() {
        // 08:00 on the index date, the procedure at 10:00: day 0 but before the index instant.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("early", INDEX.minusSeconds(7200), 8), nrs("late", INDEX.plusSeconds(7200), 4));
        assertEquals("early", window(o, Window.BASELINE).getAssessmentId());
        assertEquals("late", window(o, Window.D1).getAssessmentId());
        assertEquals(0, window(o, Window.D1).getDayNumber());
    }

    @Test
    void assessmentAtTheIndexInstant_isD1() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("same", INDEX, 5));
        assertEquals("same", window(o, Window.D1).getAssessmentId());
        assertNull(window(o, Window.BASELINE).getAssessmentId());
    }

    @ParameterizedTest(name = "day {0} -> {1}")
    @CsvSource({"3,D1", "4,W1", "14,W1", "15,M1", "45,M1", "46,M3", "135,M3", "136,M6", "270,M6", "271,M12",
            "540,M12", "541,M24", "900,M24"})
    void windowBoundaries(int day, Window expected) {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("a", day(day), 5));
        for (OutcomeWindow w : o.getWindows()) {
            assertEquals(w.getWindow() == expected ? "a" : null, w.getAssessmentId(), "window " + w.getWindow());
        }
    }

    @Test
    void day901_isInNoWindow() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("a", day(901), 5));
        assertTrue(o.getWindows().stream().allMatch(w -> w.getAssessmentId() == null));
    }

    @Test
    void dayNumberIsByUtcCalendarDate() {
        // Index 2024-03-01T10:00Z; an assessment at 2024-03-04T23:59Z is day 3 (D1), at 2024-03-05T00:00Z day 4 (W1).
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("a", Instant.parse("2024-03-04T23:59:00Z"), 5), nrs("b", Instant.parse("2024-03-05T00:00:00Z"), 6));
        assertEquals("a", window(o, Window.D1).getAssessmentId());
        assertEquals("b", window(o, Window.W1).getAssessmentId());
    }

    @Test
    void tieOfDayDistance_goesToEarlierInstant() {
        // M1 target 30: days 28 and 32 are both 2 away; the earlier (day 28) wins.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("z-early", day(28), 5), nrs("a-late", day(32), 6));
        assertEquals("z-early", window(o, Window.M1).getAssessmentId());
    }

    @Test
    void tieOnSameDay_goesToEarlierInstant() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("z", day(30).minusSeconds(60), 5), nrs("a", day(30), 6));
        assertEquals("z", window(o, Window.M1).getAssessmentId());
    }

    @Test
    void equalInstants_goToSmallerEventId() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("f-b", day(30), 5), nrs("f-a", day(30), 6),
                nrs("b-b", day(-1), 9), nrs("b-a", day(-1), 8));
        assertEquals("f-a", window(o, Window.M1).getAssessmentId());
        assertEquals("b-a", window(o, Window.BASELINE).getAssessmentId());
    }

    @Test
    void workedExample_odiRmdqEq5dChanges() {
        // ODI 60 -> 40: change 40 - 60 = -20. RMDQ 24 items 18 -> 12: -6. EQ-5D 0.3 -> 0.65: +0.35.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("b", day(-1)).setOdi(60.0).setRmdq(18).setEq5dIndex(0.3).build(),
                followUp("m", day(30)).setOdi(40.0).setRmdq(12).setEq5dIndex(0.65).build());
        OutcomeWindow m1 = window(o, Window.M1);
        assertEquals(-20.0, m1.getOdiChange());
        assertEquals(-6.0, m1.getRmdqChange());
        assertEquals(0.35, m1.getEq5dChange(), 1e-15);
        assertEquals(AbsentReason.NO_PAIN_IN_ASSESSMENT, m1.getPainAbsentReason());
    }

    @Test
    void rmdq23Items_isRescaledTo24() {
        // 23-item score 11 -> 11 x 24 / 23 = 11.478260869565217...; baseline 24-item 20: change = 264/23 - 20 = -196/23 = -8.5217391...
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("b", day(-1)).setRmdq(20).build(),
                followUp("m", day(30)).setRmdq(11).setRmdqItems(23).build());
        OutcomeWindow m1 = window(o, Window.M1);
        assertEquals(264.0 / 23.0, m1.getRmdq(), 0.0);
        assertEquals(-196.0 / 23.0, m1.getRmdqChange(), 0.0);
    }

    @Test
    void scoreMissingOnChosenAssessment_isNotFilledFromAnother() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), followUp("b", day(-1)).setPainNrs(8).build(),
                followUp("m", day(30)).setPainNrs(4).build(), followUp("m2", day(40)).setOdi(30.0).build());
        OutcomeWindow m1 = window(o, Window.M1);
        assertEquals(AbsentReason.NOT_REPORTED, m1.getOdiAbsentReason());
        assertEquals(AbsentReason.NOT_REPORTED, m1.getOdiChangeAbsentReason());
    }
}
