package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.Window;

/** R13-R19 straight from {@link ScoreWindows}: responder flags at their boundaries, exact arithmetic. */
class ScoreWindowsTest {

    /**
     * ScoreWindows builds an OutcomeWindow as a new record, not with its builder, which holds null where the
     * builder would put a field's default. That is the same only while every default is null: a field added with
     * another default must make it use the builder again. The fields without a default are the four it always sets.
     */
    @Test
    void outcomeWindowDefaultsAreAllNull_soANewRecordEqualsWhatTheBuilderWouldGive() {
        List<String> required = new java.util.ArrayList<>();
        for (org.apache.avro.Schema.Field f : OutcomeWindow.getClassSchema().getFields()) {
            if (!f.hasDefaultValue()) required.add(f.name());
            else assertEquals(org.apache.avro.JsonProperties.NULL_VALUE, f.defaultVal(), f.name() + " has a default other than null");
        }
        assertEquals(List.of("window", "targetDay", "firstDay", "lastDay"), required);
    }

    /** Vertebroplasty at the index instant; the given follow-ups. */
    static ScoreWindows scores(FollowUpEvent... followUps) {
        TreatmentHistory history = TreatmentHistory.of(List.of(vertebroplasty("p1", INDEX))).orElseThrow();
        return new ScoreWindows(history, List.of(followUps));
    }

    static OutcomeWindow window(ScoreWindows s, Window w) {
        return s.windows().stream().filter(x -> x.getWindow() == w).findFirst().orElseThrow();
    }

    /** Baseline VAS 70 mm (pain 7) on day -1 and one M3 follow-up (day 90) with this VAS. */
    static OutcomeWindow m3AfterBaseline7(double followUpVasMm) {
        return window(scores(vas("b", day(-1), 70.0), vas("m3", day(90), followUpVasMm)), Window.M3);
    }

    @Test
    void relief2point1FromBaseline7_isMcidAndExactly30Percent() {
        // Baseline 7, follow-up VAS 49 mm = 4.9: relief 7 - 4.9 = 2.1 >= 2 -> MCID;
        // 30 %: 2.1 x 100 = 210 >= 7 x 30 = 210 -> true (exactly on the boundary);
        // 50 %: 210 >= 7 x 50 = 350 false; LOW: 4.9 < 4 false; percent = 2.1 / 7 x 100 = 30.
        OutcomeWindow m3 = m3AfterBaseline7(49.0);
        assertEquals(4.9, m3.getPain());
        assertEquals(2.1, m3.getPainRelief());
        assertEquals(30.0, m3.getPercentRelief());
        assertTrue(m3.getMcid2pt());
        assertTrue(m3.getRelief30pct());
        assertFalse(m3.getRelief50pct());
        assertFalse(m3.getLowPain());
    }

    @Test
    void relief2point09FromBaseline7_isMcidButBelow30Percent() {
        // Follow-up VAS 49.1 mm = 4.91: relief 2.09 >= 2 -> MCID; 2.09 x 100 = 209 < 210 -> not 30 %.
        OutcomeWindow m3 = m3AfterBaseline7(49.1);
        assertEquals(2.09, m3.getPainRelief());
        assertTrue(m3.getMcid2pt());
        assertFalse(m3.getRelief30pct());
    }

    @Test
    void reliefExactly2_isMcid_1point99IsNot() {
        // VAS 50 mm = 5.0: relief 7 - 5 = 2 >= 2 -> MCID. VAS 50.1 mm = 5.01: relief 1.99 < 2 -> not.
        assertTrue(m3AfterBaseline7(50.0).getMcid2pt());
        OutcomeWindow below = m3AfterBaseline7(50.1);
        assertEquals(1.99, below.getPainRelief());
        assertFalse(below.getMcid2pt());
    }

    @Test
    void reliefExactlyHalfOfBaseline_is50Percent_3point49IsNot() {
        // VAS 35 mm = 3.5: relief 3.5; 3.5 x 100 = 350 >= 7 x 50 = 350 -> 50 %, percent 50.
        OutcomeWindow half = m3AfterBaseline7(35.0);
        assertTrue(half.getRelief50pct());
        assertEquals(50.0, half.getPercentRelief());
        // VAS 35.1 mm = 3.51: relief 3.49; 349 < 350 -> not 50 % (but 349 >= 210 -> 30 %).
        OutcomeWindow below = m3AfterBaseline7(35.1);
        assertFalse(below.getRelief50pct());
        assertTrue(below.getRelief30pct());
    }

    @Test
    void lowPainIsStrictlyBelow4() {
        // VAS 39.9 mm = 3.99 < 4 -> LOW; VAS 40 mm = 4.0, not < 4 -> not LOW.
        assertTrue(m3AfterBaseline7(39.9).getLowPain());
        assertFalse(m3AfterBaseline7(40.0).getLowPain());
    }

    @Test
    void percentReliefIsRoundedOnce() {
        // Baseline NRS 3, follow-up NRS 2: relief 1, percent 1 / 3 x 100 = 33.333... -> the double nearest 100/3.
        OutcomeWindow w1 = window(scores(nrs("b", day(-1), 3), nrs("w1", day(7), 2)), Window.W1);
        assertEquals(100.0 / 3, w1.getPercentRelief(), 0.0);
        assertTrue(w1.getRelief30pct()); // 1 x 100 = 100 >= 3 x 30 = 90
        assertFalse(w1.getRelief50pct()); // 100 >= 3 x 50 = 150 false
    }

    @Test
    void baselineLookback_day30Counts_day31DoesNot() {
        // Lookback 30 days: an assessment on day -30 is the baseline (pain 6, relief 6 - 2 = 4) ...
        ScoreWindows in = scores(nrs("b", day(-30), 6), nrs("m1", day(30), 2));
        assertEquals(0, in.baselinePain().compareTo(BigDecimal.valueOf(6)));
        assertEquals(4.0, window(in, Window.M1).getPainRelief());
        assertEquals(-30, window(in, Window.BASELINE).getFirstDay());
        // ... one on day -31 is not: no baseline, relief and flags absent, LOW still defined (2 < 4).
        ScoreWindows out = scores(nrs("b", day(-31), 6), nrs("m1", day(30), 2));
        assertNull(out.baselinePain());
        OutcomeWindow m1 = window(out, Window.M1);
        assertEquals(AbsentReason.NO_BASELINE, m1.getPainReliefAbsentReason());
        assertEquals(AbsentReason.NO_BASELINE, m1.getMcid2ptAbsentReason());
        assertEquals(AbsentReason.NO_BASELINE, m1.getRelief30pctAbsentReason());
        assertTrue(m1.getLowPain());
    }

    @Test
    void baselineZero_reliefAndMcidDefined_relativeMeasuresAbsent() {
        // Baseline NRS 0, follow-up NRS 1: relief 0 - 1 = -1 < 2 -> no MCID; x / 0 undefined -> BASELINE_ZERO.
        OutcomeWindow w1 = window(scores(nrs("b", day(-1), 0), nrs("w1", day(7), 1)), Window.W1);
        assertEquals(-1.0, w1.getPainRelief());
        assertFalse(w1.getMcid2pt());
        assertEquals(AbsentReason.BASELINE_ZERO, w1.getPercentReliefAbsentReason());
        assertEquals(AbsentReason.BASELINE_ZERO, w1.getRelief30pctAbsentReason());
        assertEquals(AbsentReason.BASELINE_ZERO, w1.getRelief50pctAbsentReason());
    }

    @Test
    void rmdq23Items_changeFromA24ItemBaselineIsOneExactFraction() {
        // Follow-up 10 of 23 -> 10 x 24 / 23 = 240/23; baseline 12 of 24 -> 12.
        // Change = 240/23 - 12 = (240 - 276) / 23 = -36/23, rounded once.
        FollowUpEvent b = followUp("b", day(-1)).setRmdq(12).setRmdqItems(24).build();
        FollowUpEvent m = followUp("m1", day(30)).setRmdq(10).setRmdqItems(23).build();
        OutcomeWindow m1 = window(scores(b, m), Window.M1);
        assertEquals(240.0 / 23, m1.getRmdq(), 0.0);
        assertEquals(-36.0 / 23, m1.getRmdqChange(), 0.0);
    }

    @Test
    void eq5dChangeIsDecimalAsWritten() {
        // EQ-5D 0.3 -> 0.7: change 0.7 - 0.3 = 0.4 exactly (binary doubles give 0.39999999999999997).
        FollowUpEvent b = followUp("b", day(-1)).setEq5dIndex(0.3).build();
        FollowUpEvent m = followUp("m1", day(30)).setEq5dIndex(0.7).build();
        assertEquals(0.4, window(scores(b, m), Window.M1).getEq5dChange(), 0.0);
    }

    @Test
    void nearestToTarget_equidistantGoesToTheEarlierDay() {
        // M1 target 30: days 27 and 33 are both 3 away -> the earlier (27) is chosen (R3).
        OutcomeWindow m1 = window(scores(nrs("late", day(33), 1), nrs("early", day(27), 5)), Window.M1);
        assertEquals("early", m1.getAssessmentId());
        assertEquals(27, m1.getDayNumber());
    }
}
