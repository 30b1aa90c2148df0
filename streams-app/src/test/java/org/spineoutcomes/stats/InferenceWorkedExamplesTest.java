package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Small examples worked by hand (arithmetic in the comments). Reference quantiles and values with
 * more digits were computed independently in Python (standard library only: Student-t density
 * integrated by composite Simpson's rule and inverted by bisection), agreeing with the closed forms
 * t(0.975, 2) = 0.95 / sqrt(2 * 0.975 * 0.025) and t(0.975, 4) = 2 sqrt(q - 1),
 * q = cos(arccos(sqrt(a)) / 3) / sqrt(a), a = 4 * 0.975 * 0.025, to 1e-14.
 */
class InferenceWorkedExamplesTest {

    static final double REL = 1e-12;

    static void close(double expected, OptionalDouble actual, String what) {
        assertTrue(actual.isPresent(), what + " is absent");
        close(expected, actual.getAsDouble(), what);
    }

    static void close(double expected, double actual, String what) {
        double tol = REL * Math.max(1.0, Math.abs(expected));
        assertEquals(expected, actual, tol, what);
    }

    @Test
    void tQuantilesFromHipparchusMatchClosedForms() {
        // df = 1: Cauchy, t = tan(pi (0.975 - 0.5)) = tan(0.475 pi) = 12.706204736174696
        close(12.706204736174696, StudentT.quantile975(1), "t(0.975,1)");
        // df = 2: t = (2p - 1) / sqrt(2 p (1 - p)) = 0.95 / sqrt(0.04875) = 4.302652729749464
        close(0.95 / Math.sqrt(0.04875), StudentT.quantile975(2), "t(0.975,2)");
        // df = 4: closed form above = 2.7764451051977943
        close(2.7764451051977943, StudentT.quantile975(4), "t(0.975,4)");
        assertThrows(IllegalArgumentException.class, () -> StudentT.quantile975(0));
    }

    @Test
    void meanSdAndTIntervalOfOneTwoSix() {
        // values 1, 2, 6: n = 3, sum = 9, sum of squares = 1 + 4 + 36 = 41
        Moments m = Moments.ofValues(1, 2, 6);
        assertEquals(3, m.n());
        assertEquals(0, m.sum().compareTo(java.math.BigDecimal.valueOf(9)));
        assertEquals(0, m.sumOfSquares().compareTo(java.math.BigDecimal.valueOf(41)));
        MeanEstimate e = Inference.mean(m);
        // mean = 9 / 3 = 3; variance = (3 * 41 - 81) / (3 * 2) = 42 / 6 = 7; sd = sqrt(7) = 2.6457513110645907
        close(3.0, e.mean(), "mean");
        close(Math.sqrt(7), e.sd(), "sd");
        // half width = t(0.975, 2) * sqrt(7) / sqrt(3) = 4.302652729749464 * 1.5275252316519468 = 6.572410607728432
        close(3 - 6.572410607728432, e.ciLower(), "ciLower");
        close(3 + 6.572410607728432, e.ciUpper(), "ciUpper");
        assertEquals(Optional.empty(), e.absentReason());
    }

    @Test
    void meanOfOneValueHasNoSdAndZeroValuesHaveNothing() {
        MeanEstimate one = Inference.mean(Moments.ofValues(4.5));
        close(4.5, one.mean(), "mean of one");
        assertFalse(one.sd().isPresent());
        assertFalse(one.ciLower().isPresent());
        assertEquals(Optional.of(AbsentReason.N_LT_2), one.absentReason());

        MeanEstimate none = Inference.mean(Moments.ZERO);
        assertFalse(none.mean().isPresent());
        assertEquals(Optional.of(AbsentReason.N_ZERO), none.absentReason());
    }

    @Test
    void constantValuesGiveZeroSdAndADegenerateInterval() {
        // 0.1 three times: sum of squares of the exact binary 0.1 equals sum^2 / n exactly, so sd = 0 (R31 needs only n >= 2)
        MeanEstimate e = Inference.mean(Moments.ofValues(0.1, 0.1, 0.1));
        assertEquals(0.0, e.sd().getAsDouble());
        assertEquals(0.1, e.ciLower().getAsDouble());
        assertEquals(0.1, e.ciUpper().getAsDouble());
    }

    @Test
    void wilsonThreeOfTen() {
        // x = 3, n = 10, z = 1.959963984540054, z^2 = 3.8414588206941236
        // centre = (3 + z^2/2) / (10 + z^2) = 4.920729410347062 / 13.841458820694124 = 0.35550656
        // half = z * sqrt(3 * 7 / 10 + z^2 / 4) / (10 + z^2) = 1.95996 * sqrt(3.060364705173531) / 13.84146 = 0.24771529
        // -> 0.10779126740630099 .. 0.6032218525388546 (Python, same formula in the p form)
        ProportionEstimate e = Inference.wilson(new Proportion(10, 3));
        close(0.3, e.proportion(), "p");
        close(0.10779126740630099, e.wilsonLower(), "lower");
        close(0.6032218525388546, e.wilsonUpper(), "upper");
    }

    @Test
    void wilsonAtTheBoundsIsExactlyZeroAndOne() {
        // x = 0: centre = half = (z^2/2) / (10 + z^2) = 1.9207294103470618 / 13.841458820694124 = 0.2775327998628892
        ProportionEstimate zero = Inference.wilson(new Proportion(10, 0));
        assertEquals(0.0, zero.wilsonLower().getAsDouble());
        close(0.2775327998628892, zero.wilsonUpper(), "upper at 0/10");
        ProportionEstimate all = Inference.wilson(new Proportion(10, 10));
        close(0.7224672001371107, all.wilsonLower(), "lower at 10/10");
        assertEquals(1.0, all.wilsonUpper().getAsDouble());
        assertEquals(Optional.of(AbsentReason.N_ZERO), Inference.wilson(Proportion.ZERO).absentReason());
    }

    @Test
    void welchOnTwoSmallArms() {
        // first 1, 2, 6: mean 3, s^2 = 7; second 1, 3: mean 2, s^2 = 2
        // a = 7/3, b = 2/2 = 1, SE = sqrt(10/3) = 1.8257418583505538
        // df = (10/3)^2 / ((7/3)^2 / 2 + 1^2 / 1) = (100/9) / (67/18) = 200/67 = 2.9850746268656714
        // t(0.975, 200/67) = 3.19146715607083 (Python reference); CI = 1 +/- 3.19146715607083 * 1.8257418583505538
        WelchEstimate e = Inference.welch(Moments.ofValues(1, 2, 6), Moments.ofValues(1, 3));
        close(1.0, e.meanDifference(), "difference");
        close(Math.sqrt(10.0 / 3.0), e.se(), "se");
        close(200.0 / 67.0, e.df(), "df");
        close(-4.826795176389514, e.ciLower(), "ciLower");
        close(6.826795176389514, e.ciUpper(), "ciUpper");
        assertEquals(Optional.empty(), e.absentReason());
    }

    @Test
    void welchNeedsTwoPerArmAndPositiveSe() {
        WelchEstimate small = Inference.welch(Moments.ofValues(1, 2, 6), Moments.ofValues(3));
        close(0.0, small.meanDifference(), "difference with n2 = 1"); // 3 - 3
        assertFalse(small.se().isPresent());
        assertEquals(Optional.of(AbsentReason.N_LT_2), small.absentReason());

        WelchEstimate constant = Inference.welch(Moments.ofValues(5, 5), Moments.ofValues(2, 2, 2));
        close(3.0, constant.meanDifference(), "difference of constants");
        close(0.0, constant.se(), "se");
        assertFalse(constant.df().isPresent());
        assertFalse(constant.ciLower().isPresent());
        assertEquals(Optional.of(AbsentReason.SE_ZERO), constant.absentReason());

        assertEquals(Optional.of(AbsentReason.N_ZERO), Inference.welch(Moments.ZERO, Moments.ofValues(1, 2)).absentReason());
    }

    @Test
    void ancovaOnTwoSmallArms() {
        // first (x = baseline, y = follow-up): (8,3) (6,2) (7,4): Sx 21, Sy 9, Sxx 149, Syy 29, Sxy 64
        //   centred: Cxx = 149 - 21^2/3 = 2, Cxy = 64 - 21*9/3 = 1, Cyy = 29 - 9^2/3 = 2; xbar 7, ybar 3
        // second (8,6) (10,6) (6,3) (8,5): Sx 32, Sy 20, Sxx 264, Syy 106, Sxy 166
        //   centred: Cxx = 264 - 32^2/4 = 8, Cxy = 166 - 32*20/4 = 6, Cyy = 106 - 20^2/4 = 6; xbar 8, ybar 5
        // pooled Sxx 10, Sxy 7, Syy 8: beta = 0.7; delta = (3 - 5) - 0.7 (7 - 8) = -1.3
        // RSS = 8 - 7^2/10 = 3.1, df = 3 + 4 - 3 = 4, s^2 = 0.775
        // Var = 0.775 (1/3 + 1/4 + 1/10) = 0.775 * 41/60 = 0.52958333, SE = 0.7277247648206933
        // t(0.975, 4) = 2.7764451051977943: CI = -1.3 -/+ 2.02048786 = -3.3204878612176207 .. 0.7204878612176204
        // Cross-check (Python, exact fractions): OLS y ~ 1 + arm + x gives arm coefficient -13/10, slope 7/10,
        // RSS 31/10 and Var(arm coefficient) = 1271/2400 = 0.5295833.
        PairedMoments first = PairedMoments.ofPairs(8, 3, 6, 2, 7, 4);
        PairedMoments second = PairedMoments.ofPairs(8, 6, 10, 6, 6, 3, 8, 5);
        assertEquals(0, first.sumXY().compareTo(java.math.BigDecimal.valueOf(64)));
        assertEquals(0, second.sumXX().compareTo(java.math.BigDecimal.valueOf(264)));
        AncovaEstimate e = Inference.ancova(first, second);
        close(0.7, e.slope(), "slope");
        close(-1.3, e.adjustedDifference(), "delta");
        close(Math.sqrt(1271.0 / 2400.0), e.se(), "se");
        assertEquals(4, e.df().getAsLong());
        close(-3.3204878612176207, e.ciLower(), "ciLower");
        close(0.7204878612176204, e.ciUpper(), "ciUpper");
    }

    @Test
    void ancovaAbsentReasons() {
        // n1 + n2 - 3 = 2 + 1 - 3 = 0 < 1
        assertEquals(Optional.of(AbsentReason.DF_LT_1),
                Inference.ancova(PairedMoments.ofPairs(1, 2, 3, 4), PairedMoments.ofPairs(5, 6)).absentReason());
        // every baseline 7: within-arm Sxx = 0
        assertEquals(Optional.of(AbsentReason.SXX_ZERO),
                Inference.ancova(PairedMoments.ofPairs(7, 2, 7, 4), PairedMoments.ofPairs(7, 6, 7, 1)).absentReason());
        assertEquals(Optional.of(AbsentReason.N_ZERO),
                Inference.ancova(PairedMoments.ZERO, PairedMoments.ofPairs(7, 6, 8, 1, 9, 2, 1, 1)).absentReason());
    }

    @Test
    void newcombeThreeOfTenVersusOneOfTen() {
        // Wilson 3/10: (0.107791, 0.603222); Wilson 1/10: (0.017875, 0.404150)  [same formula as wilsonThreeOfTen]
        // D = 0.3 - 0.1 = 0.2
        // lower = 0.2 - sqrt((0.3 - 0.107791)^2 + (0.404150 - 0.1)^2) = 0.2 - 0.359794 = -0.1597936015062252
        // upper = 0.2 + sqrt((0.603222 - 0.3)^2 + (0.1 - 0.017875)^2) = 0.2 + 0.314146 = 0.5141461574374272
        RiskDifferenceEstimate e = Inference.newcombe(new Proportion(10, 3), new Proportion(10, 1));
        close(0.2, e.difference(), "difference");
        close(-0.1597936015062252, e.ciLower(), "lower");
        close(0.5141461574374272, e.ciUpper(), "upper");
        assertEquals(Optional.of(AbsentReason.N_ZERO), Inference.newcombe(Proportion.ZERO, new Proportion(3, 1)).absentReason());
    }
}
