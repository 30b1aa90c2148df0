package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.spineoutcomes.stats.KaplanMeierTest.PLACEBO;
import static org.spineoutcomes.stats.KaplanMeierTest.SIX_MP;
import static org.spineoutcomes.stats.KaplanMeierTest.cell;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** R38 against a published log-rank test, the rule's worked example and the rule's edge cases. */
class LogRankTest {

    static final double Z = 1.959963984540054;

    @Test
    void sixMercaptopurineAgainstPlacebo_matchesThePublishedLogRank() {
        // Freireich et al. 1963 remission data (KaplanMeierTest.SIX_MP, PLACEBO). Published in Kleinbaum & Klein,
        // Survival Analysis: A Self-Learning Text, 3rd ed., Springer 2012, chapter 2 (log-rank test for two
        // groups): O1 = 9, E1 = 19.25, O2 = 21, E2 = 10.75, Var(O2 - E2) = 6.2570, log-rank = 16.79.
        // (R's survdiff prints the same: Chisq = 16.8 on 1 degree of freedom, p = 4e-05.)
        LogRankEstimate e = LogRank.compare(SIX_MP, PLACEBO);
        assertEquals(21, e.patients1());
        assertEquals(21, e.patients2());
        assertEquals(9, e.observed1());
        assertEquals(21, e.observed2());
        assertEquals(19.25, e.expected1(), 0.005);
        assertEquals(10.75, 30 - e.expected1(), 0.005);
        assertEquals(6.2570, e.variance(), 0.5e-4);
        assertEquals(16.79, e.chiSquare().getAsDouble(), 0.005);
        // Upper tail of chi-square(1) at 16.79294: 4.1688e-5 (scipy.stats.chi2.sf, an independent implementation).
        assertEquals(4.1688e-5, e.pValue().getAsDouble(), 0.0001e-5);
        // One-step hazard ratio by hand: (O - E) / V = (9 - 19.25050) / 6.25696 = -1.638257 -> exp = 0.19432;
        // CI exp(-1.638257 -+ 1.959964 / sqrt(6.25696)) = exp(-1.638257 -+ 0.783549) = (0.08876, 0.42541).
        assertEquals(0.19432, e.hazardRatio().getAsDouble(), 0.5e-5);
        assertEquals(0.08876, e.hrLower().getAsDouble(), 0.5e-5);
        assertEquals(0.42541, e.hrUpper().getAsDouble(), 0.5e-5);
        assertEquals(Optional.empty(), e.absentReason());
    }

    @Test
    void theRulesWorkedExample_exactFractions() {
        // docs/computation-rules.md R38: A event 10, censored 50; B events 20 and 30.
        // Day 10: n_A 2, n_B 2, d 1 -> E 1/2, V 1 x (1/2)(1/2)(3/3) = 1/4.
        // Day 20: n_A 1, n_B 2, d 1 -> E 1/3, V (1/3)(2/3)(2/2) = 2/9.
        // Day 30: n_A 1, n_B 1, d 1 -> E 1/2, V 1/4.
        // O_A = 1, E_A = 4/3, V = 13/18; chi-square = (1/9) / (13/18) = 2/13; p = 0.6949;
        // HR = exp(-(1/3) / (13/18)) = exp(-6/13) = 0.6303; CI exp(-6/13 -+ z / sqrt(13/18)) = (0.0628, 6.326).
        LogRankEstimate e = LogRank.compare(cell(new int[] {10}, new int[] {50}), cell(new int[] {20, 30}, new int[] {}));
        assertEquals(1, e.observed1());
        assertEquals(2, e.observed2());
        assertEquals(4.0 / 3, e.expected1(), 1e-15);
        assertEquals(13.0 / 18, e.variance(), 1e-15);
        assertEquals(2.0 / 13, e.chiSquare().getAsDouble(), 1e-15);
        assertEquals(0.6949, e.pValue().getAsDouble(), 0.5e-4);
        assertEquals(Math.exp(-6.0 / 13), e.hazardRatio().getAsDouble(), 1e-15);
        double half = Z / Math.sqrt(13.0 / 18);
        assertEquals(Math.exp(-6.0 / 13 - half), e.hrLower().getAsDouble(), 1e-14);
        assertEquals(Math.exp(-6.0 / 13 + half), e.hrUpper().getAsDouble(), 1e-13);
        assertEquals(0.0628, e.hrLower().getAsDouble(), 0.5e-4);
        assertEquals(6.326, e.hrUpper().getAsDouble(), 0.5e-3);
    }

    @Test
    void swappingTheArms_keepsChiSquareAndInvertsTheHazardRatio() {
        // E_B = d - E_A over the same days and V is symmetric in A and B, so O_B - E_B = -(O_A - E_A).
        LogRankEstimate ab = LogRank.compare(SIX_MP, PLACEBO);
        LogRankEstimate ba = LogRank.compare(PLACEBO, SIX_MP);
        assertEquals(ab.variance(), ba.variance(), 1e-13);
        assertEquals(30 - ab.expected1(), ba.expected1(), 1e-13);
        assertEquals(ab.chiSquare().getAsDouble(), ba.chiSquare().getAsDouble(), 1e-12);
        assertEquals(1 / ab.hazardRatio().getAsDouble(), ba.hazardRatio().getAsDouble(), 1e-12);
        assertEquals(1 / ab.hrUpper().getAsDouble(), ba.hrLower().getAsDouble(), 1e-12);
    }

    @Test
    void noEventInEitherArm_keepsOEAndV_withoutStatistics() {
        LogRankEstimate e = LogRank.compare(cell(new int[] {}, new int[] {5, 100}), cell(new int[] {}, new int[] {40}));
        assertEquals(Optional.of(AbsentReason.NO_EVENTS), e.absentReason());
        assertEquals(0, e.observed1());
        assertEquals(0.0, e.expected1());
        assertEquals(0.0, e.variance());
        assertFalse(e.chiSquare().isPresent());
        assertFalse(e.pValue().isPresent());
        assertFalse(e.hazardRatio().isPresent());
    }

    @Test
    void anEventWhenOnlyOnePatientIsAtRisk_addsNothingToV() {
        // A: event on day 5; B: censored on day 3. Day 5 is the only event day: n_A 1, n_B 0, n = 1 -> the day adds
        // d n_A / n = 1 to E_A and 0 to V (n = 1). V = 0 with an event: ZERO_VARIANCE; O_A = 1, E_A = 1.
        LogRankEstimate e = LogRank.compare(cell(new int[] {5}, new int[] {}), cell(new int[] {}, new int[] {3}));
        assertEquals(Optional.of(AbsentReason.ZERO_VARIANCE), e.absentReason());
        assertEquals(1, e.observed1());
        assertEquals(1.0, e.expected1());
        assertEquals(0.0, e.variance());
    }

    @Test
    void everyoneAtRiskHasTheEvent_addsNothingToV() {
        // A and B: one patient each, both with an event on day 7: n = 2, d = 2, (n - d) = 0 -> V = 0; E_A = 2 x 1/2 = 1.
        LogRankEstimate e = LogRank.compare(cell(new int[] {7}, new int[] {}), cell(new int[] {7}, new int[] {}));
        assertEquals(Optional.of(AbsentReason.ZERO_VARIANCE), e.absentReason());
        assertEquals(1.0, e.expected1());
        assertEquals(0.0, e.variance());
    }

    @Test
    void aVerySmallPValueIsKept() {
        // 40 events on day 1 in A against 40 patients censored at day 100 in B: n = 80, d = 40, E_A = 20,
        // V = 40 (1/2)(1/2)(40/79) = 400/79; chi-square = 400 / (400/79) = 79; p = erfc(sqrt(39.5)) = 6.2e-19,
        // which 1 - CDF would round to 0.
        int[] events = new int[40];
        java.util.Arrays.fill(events, 1);
        int[] censored = new int[40];
        java.util.Arrays.fill(censored, 100);
        LogRankEstimate e = LogRank.compare(cell(events, new int[] {}), cell(new int[] {}, censored));
        assertEquals(79.0, e.chiSquare().getAsDouble(), 1e-12);
        assertEquals(6.2e-19, e.pValue().getAsDouble(), 0.05e-19);
    }
}
