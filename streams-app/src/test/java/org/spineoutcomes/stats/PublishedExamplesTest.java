package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spineoutcomes.stats.InferenceWorkedExamplesTest.close;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Published summary statistics reproduced. Expected values with all digits were computed
 * independently in Python 3 (standard library only; Student-t quantile by Simpson integration of
 * the density and bisection, checked against closed forms for df 1, 2 and 4 to 1e-14).
 */
class PublishedExamplesTest {

    /** Moments with the given n, mean and SD: sum = n mean, sum of squares = (n - 1) s^2 + n mean^2. */
    static Moments fromSummary(int n, String mean, String sd) {
        BigDecimal bn = BigDecimal.valueOf(n);
        BigDecimal m = new BigDecimal(mean);
        BigDecimal s = new BigDecimal(sd);
        return Moments.of(n, bn.multiply(m), bn.subtract(BigDecimal.ONE).multiply(s.multiply(s)).add(bn.multiply(m.multiply(m))));
    }

    @Test
    void buchbinder2009ThreeMonthPainReductionWelch() {
        // Buchbinder et al., NEJM 2009;361:557, 3 months: vertebroplasty 2.6 +/- 2.9 (n 38), sham 1.9 +/- 3.3 (n 40).
        // sum 98.8, sum of squares 37 * 8.41 + 38 * 6.76 = 568.05; sum 76, sum of squares 39 * 10.89 + 40 * 3.61 = 569.11
        Moments vp = fromSummary(38, "2.6", "2.9");
        Moments sham = fromSummary(40, "1.9", "3.3");
        assertEquals(0, vp.sumOfSquares().compareTo(new BigDecimal("568.05")));
        WelchEstimate e = Inference.welch(vp, sham);
        // difference 0.7; SE = sqrt(2.9^2/38 + 3.3^2/40) = sqrt(0.22131579 + 0.27225) = 0.7025423755715268
        // df = 0.49356579^2 / (0.22131579^2/37 + 0.27225^2/39) = 75.55312414702315
        // t(0.975, 75.553124) = 1.9918631351326386 (Python reference above)
        // CI = 0.7 -/+ 1.99186314 * 0.70254238 = -0.6993682587694328 .. 2.099368258769433
        close(0.7, e.meanDifference(), "difference");
        close(Math.sqrt(2.9 * 2.9 / 38 + 3.3 * 3.3 / 40), e.se(), "se");
        close(0.7025423755715268, e.se(), "se");
        close(75.55312414702315, e.df(), "df");
        close(-0.6993682587694328, e.ciLower(), "ciLower");
        close(2.099368258769433, e.ciUpper(), "ciUpper");
    }

    @Test
    void invest2009RespondersWilsonAndNewcombe() {
        // INVEST, Kallmes et al., NEJM 2009;361:569: clinically meaningful pain improvement at 1 month,
        // 64% vs 48%, taken as 44 of 68 (vertebroplasty) vs 30 of 63 (control).
        Proportion vp = new Proportion(68, 44);
        Proportion control = new Proportion(63, 30);
        ProportionEstimate w1 = Inference.wilson(vp);
        ProportionEstimate w2 = Inference.wilson(control);
        // Wilson 44/68: p = 0.6470588235294118, 0.5284105522251017 .. 0.7499802311513482
        close(0.6470588235294118, w1.proportion(), "p1");
        close(0.5284105522251017, w1.wilsonLower(), "l1");
        close(0.7499802311513482, w1.wilsonUpper(), "u1");
        // Wilson 30/63: p = 0.47619047619047616, 0.3578212405382701 .. 0.5972964356326276
        close(0.47619047619047616, w2.proportion(), "p2");
        close(0.3578212405382701, w2.wilsonLower(), "l2");
        close(0.5972964356326276, w2.wilsonUpper(), "u2");
        // Newcombe method 10: D = 0.17086834733893563,
        // lower = D - sqrt((p1 - l1)^2 + (u2 - p2)^2) = 0.001327597971990807
        // upper = D + sqrt((u1 - p1)^2 + (p2 - l2)^2) = 0.32772526333491037
        RiskDifferenceEstimate rd = Inference.newcombe(vp, control);
        close(0.17086834733893563, rd.difference(), "D");
        close(0.001327597971990807, rd.ciLower(), "lower");
        close(0.32772526333491037, rd.ciUpper(), "upper");
    }

    @Test
    void newcombe1998WorkedExampleMethod10() {
        // Newcombe RG, Stat Med 1998;17:873-890, Table II example (56/70 vs 48/80): method 10 gives
        // +0.0524 to +0.3339. Python with the same Wilson limits: 0.052431472402365065 .. 0.333872654036906.
        RiskDifferenceEstimate rd = Inference.newcombe(new Proportion(70, 56), new Proportion(80, 48));
        close(0.2, rd.difference(), "D = 0.8 - 0.6");
        assertEquals(0.0524, rd.ciLower().getAsDouble(), 0.00005, "published lower, 4 decimals");
        assertEquals(0.3339, rd.ciUpper().getAsDouble(), 0.00005, "published upper, 4 decimals");
        close(0.052431472402365065, rd.ciLower(), "lower");
        close(0.333872654036906, rd.ciUpper(), "upper");
    }
}
