package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** R37 against a published table, the rule's worked example and the rule's edge cases. */
class KaplanMeierTest {

    static final double Z = 1.959963984540054;

    /** Patients from (day, event) pairs: {@code t(6, true)} is an event on day 6. */
    static SurvivalCounts cell(int[] eventDays, int[] censoredDays) {
        List<SurvivalTime> times = new ArrayList<>();
        for (int d : eventDays) times.add(new SurvivalTime(d, true));
        for (int d : censoredDays) times.add(new SurvivalTime(d, false));
        return SurvivalCounts.of(times);
    }

    /**
     * Remission times in weeks of the 21 leukaemia patients on 6-mercaptopurine (Freireich et al., Blood
     * 1963;21:699-716), the classic example with ties between events and censorings: on week 6 three
     * relapses and one censoring, on week 10 one of each. Relapses 6, 6, 6, 7, 10, 13, 16, 22, 23;
     * censored 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35. Weeks are used as day numbers here.
     */
    static final SurvivalCounts SIX_MP = cell(new int[] {6, 6, 6, 7, 10, 13, 16, 22, 23},
            new int[] {6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35});

    /** Its 21 placebo patients, all relapsed: 1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23. */
    static final SurvivalCounts PLACEBO = cell(new int[] {1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23},
            new int[] {});

    @Test
    void sixMercaptopurineGroup_matchesThePublishedProductLimitTable() {
        // Published: S(t) in Kleinbaum & Klein, Survival Analysis: A Self-Learning Text, 3rd ed., Springer 2012,
        // chapter 2 (KM for group 1 of the remission data): 0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482;
        // the Greenwood standard errors S sqrt(G) in Klein & Moeschberger, Survival Analysis: Techniques for
        // Censored and Truncated Data, 2nd ed., Springer 2003, Table 4.1A: 0.0764, 0.0869, 0.0963, 0.1068,
        // 0.1141, 0.1282, 0.1346.
        // By hand (events first on a tied day, so the censoring of week 6 is still at risk that week):
        //   week  n   d   S                         G
        //   6     21  3   18/21 = 6/7               3/(21 x 18) = 1/126
        //   7     17  1   6/7 x 16/17 = 96/119      + 1/(17 x 16)
        //   10    15  1   x 14/15 = 64/85           + 1/(15 x 14)
        //   13    12  1   x 11/12 = 176/255         + 1/(12 x 11)
        //   16    11  1   x 10/11 = 32/51           + 1/(11 x 10)
        //   22     7  1   x 6/7 = 64/119            + 1/(7 x 6)
        //   23     6  1   x 5/6 = 160/357           + 1/(6 x 5)  = 7727/85680
        // (n at week 7 is 21 - 3 - 1 = 17; at week 10 it is 15, and the week-10 censoring leaves 13, minus the
        // censoring of week 11 -> 12 at week 13.)
        KaplanMeierEstimate km = KaplanMeier.estimate(SIX_MP);
        assertEquals(21, km.patients());
        assertEquals(9, km.events());
        int[] days = {6, 7, 10, 13, 16, 22, 23};
        long[] atRisk = {21, 17, 15, 12, 11, 7, 6};
        long[] cumulativeEvents = {3, 4, 5, 6, 7, 8, 9};
        double[] exact = {6.0 / 7, 96.0 / 119, 64.0 / 85, 176.0 / 255, 32.0 / 51, 64.0 / 119, 160.0 / 357};
        double[] publishedS = {0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482};
        double[] publishedSe = {0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346};
        assertEquals(days.length, km.curve().size());
        for (int i = 0; i < days.length; i++) {
            SurvivalPoint p = km.curve().get(i);
            assertEquals(days[i], p.day());
            assertEquals(atRisk[i], p.atRisk(), "at risk, week " + days[i]);
            assertEquals(cumulativeEvents[i], p.events(), "events, week " + days[i]);
            assertEquals(exact[i], p.survival(), 1e-15, "S, week " + days[i]);
            assertEquals(publishedS[i], p.survival(), 0.5e-4, "published S, week " + days[i]);
            double se = p.survival() * Math.sqrt(p.greenwood().getAsDouble());
            assertEquals(publishedSe[i], se, 0.5e-4, "published Greenwood SE, week " + days[i]);
        }
        assertEquals(7727.0 / 85680, km.curve().get(6).greenwood().getAsDouble(), 1e-17);
    }

    @Test
    void sixMercaptopurineGroup_reportedAtTheRuleDays_withTheLogLogInterval() {
        // Day 30: S = 160/357 = 0.448179 (carried forward from week 23), at risk = times >= 30: 32, 32, 34, 35 -> 4,
        // events so far 9. G = 7727/85680 = 0.0901844; ln S = -0.802567; se = sqrt(G) / |ln S| = 0.300307 / 0.802567
        // = 0.374183; lower = S^exp(+z se) = S^2.082086 = 0.188052; upper = S^exp(-z se) = S^0.480288 = 0.680143.
        // Day 90: the same S and interval, nobody at risk (the last censoring was on day 35), 9 events.
        KaplanMeierEstimate km = KaplanMeier.estimate(SIX_MP);
        assertEquals(KaplanMeier.REPORT_DAYS, km.reported().stream().map(SurvivalPoint::day).toList());
        SurvivalPoint day30 = km.reported().get(0);
        assertEquals(4, day30.atRisk());
        assertEquals(9, day30.events());
        assertEquals(160.0 / 357, day30.survival(), 1e-15);
        double s = 160.0 / 357;
        double se = Math.sqrt(7727.0 / 85680) / Math.abs(Math.log(s));
        assertEquals(Math.pow(s, Math.exp(Z * se)), day30.ciLower().getAsDouble(), 1e-12);
        assertEquals(Math.pow(s, Math.exp(-Z * se)), day30.ciUpper().getAsDouble(), 1e-12);
        assertEquals(0.188052, day30.ciLower().getAsDouble(), 0.5e-6);
        assertEquals(0.680143, day30.ciUpper().getAsDouble(), 0.5e-6);
        SurvivalPoint day90 = km.reported().get(1);
        assertEquals(0, day90.atRisk());
        assertEquals(9, day90.events());
        assertEquals(day30.survival(), day90.survival());
        assertEquals(day30.ciLower(), day90.ciLower());
    }

    @Test
    void theRulesWorkedExample() {
        // docs/computation-rules.md R37: event 10, censored 20, event 40, event 400, censored 400.
        // Day 10: n 5, d 1 -> S 0.8. Day 40: n 3 -> 0.8 x 2/3 = 8/15. Day 400: n 2 (the event before the
        // censoring) -> 8/15 x 1/2 = 4/15.
        // Day 30: S 0.8, at risk 3, events 1; G = 1/(5 x 4) = 0.05; se = 0.223607 / 0.223144 = 1.002076;
        //   CI (0.2038, 0.9692).
        // Day 365: S 8/15, at risk 2, events 2; G = 0.05 + 1/(3 x 2) = 13/60; se = 0.740484; CI (0.0683, 0.8631).
        // Day 730: S 4/15, at risk 0, events 3.
        KaplanMeierEstimate km = KaplanMeier.estimate(cell(new int[] {10, 40, 400}, new int[] {20, 400}));
        SurvivalPoint d30 = km.reported().get(0);
        assertEquals(0.8, d30.survival(), 1e-15);
        assertEquals(3, d30.atRisk());
        assertEquals(1, d30.events());
        assertEquals(0.05, d30.greenwood().getAsDouble(), 1e-17);
        assertEquals(0.2038, d30.ciLower().getAsDouble(), 0.5e-4);
        assertEquals(0.9692, d30.ciUpper().getAsDouble(), 0.5e-4);
        SurvivalPoint d365 = km.reported().get(3);
        assertEquals(365, d365.day());
        assertEquals(8.0 / 15, d365.survival(), 1e-15);
        assertEquals(2, d365.atRisk());
        assertEquals(2, d365.events());
        assertEquals(13.0 / 60, d365.greenwood().getAsDouble(), 1e-16);
        assertEquals(0.0683, d365.ciLower().getAsDouble(), 0.5e-4);
        assertEquals(0.8631, d365.ciUpper().getAsDouble(), 0.5e-4);
        SurvivalPoint d730 = km.reported().get(4);
        assertEquals(4.0 / 15, d730.survival(), 1e-15);
        assertEquals(0, d730.atRisk());
        assertEquals(3, d730.events());
        // The day-400 step: n = 2 at risk (event and censoring), S halves.
        SurvivalPoint step400 = km.curve().get(2);
        assertEquals(400, step400.day());
        assertEquals(2, step400.atRisk());
    }

    @Test
    void aReportDayThatIsAnEventDay_countsThatDaysEventsAndPatients() {
        // Events on days 30 and 31, censored on day 30. At day 30: at risk = times >= 30 = 3, events = 1 (day 30
        // included), S = 2/3 (n = 3 at day 30: the censoring on day 30 is still at risk).
        KaplanMeierEstimate km = KaplanMeier.estimate(cell(new int[] {30, 31}, new int[] {30}));
        SurvivalPoint d30 = km.reported().get(0);
        assertEquals(3, d30.atRisk());
        assertEquals(1, d30.events());
        assertEquals(2.0 / 3, d30.survival(), 1e-15);
        // Day 31: n = 1, d = 1 -> S = 0; at day 90 S = 0, no interval.
        SurvivalPoint d90 = km.reported().get(1);
        assertEquals(0.0, d90.survival());
        assertEquals(Optional.of(AbsentReason.SURVIVAL_ZERO), d90.ciAbsentReason());
        assertFalse(d90.greenwood().isPresent()); // d / (n (n - d)) has n = d
        assertEquals(2, d90.events());
    }

    @Test
    void allCensored_SIsOneWithoutAnInterval() {
        // Nobody had a fracture: S = 1 at every report day, no interval (NO_EVENTS), at risk as counted.
        KaplanMeierEstimate km = KaplanMeier.estimate(cell(new int[] {}, new int[] {0, 45, 200, 900}));
        assertEquals(List.of(), km.curve());
        long[] atRisk = {3, 2, 2, 1, 1}; // times >= 30, 90, 180, 365, 730
        for (int i = 0; i < 5; i++) {
            SurvivalPoint p = km.reported().get(i);
            assertEquals(1.0, p.survival());
            assertEquals(atRisk[i], p.atRisk());
            assertEquals(0, p.events());
            assertEquals(0.0, p.greenwood().getAsDouble());
            assertEquals(Optional.of(AbsentReason.NO_EVENTS), p.ciAbsentReason());
            assertFalse(p.ciLower().isPresent());
        }
    }

    @Test
    void aSinglePatientWithAnEventOnDayZero_SIsZeroFromDayZero() {
        // n = 1, d = 1 on day 0: S = 0 with no interval; everyone has left by day 30.
        KaplanMeierEstimate km = KaplanMeier.estimate(cell(new int[] {0}, new int[] {}));
        assertEquals(1, km.curve().size());
        assertEquals(0, km.curve().get(0).day());
        assertEquals(1, km.curve().get(0).atRisk());
        assertEquals(0.0, km.reported().get(0).survival());
        assertEquals(0, km.reported().get(0).atRisk());
        assertEquals(Optional.of(AbsentReason.SURVIVAL_ZERO), km.reported().get(0).ciAbsentReason());
    }

    @Test
    void anEmptyCellHasSOne_andNegativeCountsAreRefused() {
        KaplanMeierEstimate km = KaplanMeier.estimate(new SurvivalCounts());
        assertEquals(0, km.patients());
        assertEquals(1.0, km.reported().get(4).survival());
        SurvivalCounts early = new SurvivalCounts().subtract(new SurvivalTime(5, true));
        assertFalse(early.hasNoNegativeCounts());
        assertThrows(IllegalStateException.class, () -> KaplanMeier.estimate(early));
        assertTrue(early.add(new SurvivalTime(5, true)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new SurvivalTime(-1, false));
    }
}
