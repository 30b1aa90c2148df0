package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The standardised comparison of two arms over covariate patterns (docs/computation-rules.md R36):
 * the arms are compared within each usable pattern (at least 2 patients with a value in each arm) and
 * the pattern differences are averaged with weights proportional to the pattern's patients in both arms.
 *
 * <pre>
 *   w_s        = (n1_s + n2_s) / sum over usable patterns (n1 + n2)
 *   difference = sum w_s (mean1_s - mean2_s)
 *   variance   = sum w_s^2 (var1_s / n1_s + var2_s / n2_s)        var with divisor n - 1
 *   95% CI     = difference +- z sqrt(variance)
 * </pre>
 *
 * For a 0/1 flag the sample variance is p (1 - p) n / (n - 1), as the rule says. Each pattern's mean
 * difference and variance term has an exact numerator (as in {@link Inference}); divisions use 34 digits.
 */
public final class Standardisation {
    private Standardisation() {}

    private static final MathContext MC = Exact.MC;

    /** First minus second for one measure; patterns are taken from both cells' {@link PatternStatistics#patterns}. */
    public static StandardisedEstimate compare(PatternStatistics first, PatternStatistics second, String measure) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Objects.requireNonNull(measure, "measure");
        Map<String, Moments> byPattern1 = first.patterns(measure);
        Map<String, Moments> byPattern2 = second.patterns(measure);
        Moments total1 = first.total(measure);
        Moments total2 = second.total(measure);
        WelchEstimate crude = Inference.welch(total1, total2);
        long n1 = total1.n();
        long n2 = total2.n();

        int usable = 0;
        long usableN1 = 0;
        long usableN2 = 0;
        BigDecimal weightedDifference = BigDecimal.ZERO;   // sum (n1_s + n2_s) (mean1_s - mean2_s)
        BigDecimal weightedVariance = BigDecimal.ZERO;     // sum (n1_s + n2_s)^2 (var1_s / n1_s + var2_s / n2_s)
        boolean positiveVariance = false;
        for (Map.Entry<String, Moments> e : byPattern1.entrySet()) {
            Moments a = e.getValue();
            Moments b = byPattern2.get(e.getKey());
            if (PatternContribution.UNCLASSIFIED.equals(e.getKey()) || b == null || a.n() < 2 || b.n() < 2) continue;
            usable++;
            usableN1 += a.n();
            usableN2 += b.n();
            BigDecimal na = Exact.n(a.n());
            BigDecimal nb = Exact.n(b.n());
            BigDecimal patients = Exact.n(a.n() + b.n());
            // mean_a - mean_b = (S_a n_b - S_b n_a) / (n_a n_b), exact numerator.
            BigDecimal difference = a.sum().multiply(nb).subtract(b.sum().multiply(na)).divide(na.multiply(nb), MC);
            weightedDifference = weightedDifference.add(patients.multiply(difference, MC), MC);
            // var / n = (n Sxx - Sx^2) / (n^2 (n - 1)), exact numerators.
            BigDecimal centredA = Inference.centredSumTimesN(a.n(), a.sum(), a.sumOfSquares(), "pattern " + e.getKey());
            BigDecimal centredB = Inference.centredSumTimesN(b.n(), b.sum(), b.sumOfSquares(), "pattern " + e.getKey());
            positiveVariance |= centredA.signum() > 0 || centredB.signum() > 0;
            BigDecimal term = centredA.divide(na.multiply(na).multiply(Exact.n(a.n() - 1)), MC)
                    .add(centredB.divide(nb.multiply(nb).multiply(Exact.n(b.n() - 1)), MC), MC);
            weightedVariance = weightedVariance.add(patients.multiply(patients).multiply(term, MC), MC);
        }

        OptionalDouble share1 = n1 > 0 ? ratio(usableN1, n1) : OptionalDouble.empty();
        OptionalDouble share2 = n2 > 0 ? ratio(usableN2, n2) : OptionalDouble.empty();
        OptionalDouble pooled = n1 + n2 > 0 ? ratio(usableN1 + usableN2, n1 + n2) : OptionalDouble.empty();
        OptionalDouble none = OptionalDouble.empty();
        if (n1 < 1 || n2 < 1) {
            return new StandardisedEstimate(n1, n2, usable, usableN1, usableN2, share1, share2, pooled,
                    none, none, none, none, none, Optional.of(AbsentReason.N_ZERO), crude);
        }
        if (usable == 0) {
            return new StandardisedEstimate(n1, n2, 0, 0, 0, share1, share2, pooled,
                    none, none, none, none, none, Optional.of(AbsentReason.NO_USABLE_PATTERN), crude);
        }
        if (!positiveVariance) {
            return new StandardisedEstimate(n1, n2, usable, usableN1, usableN2, share1, share2, pooled,
                    none, OptionalDouble.of(0.0), OptionalDouble.of(0.0), none, none,
                    Optional.of(AbsentReason.ZERO_VARIANCE), crude);
        }
        BigDecimal total = Exact.n(usableN1 + usableN2);
        BigDecimal difference = weightedDifference.divide(total, MC);
        BigDecimal variance = weightedVariance.divide(total.multiply(total), MC);
        BigDecimal se = Exact.sqrt(variance);
        BigDecimal half = Inference.Z_95.multiply(se, MC);
        return new StandardisedEstimate(n1, n2, usable, usableN1, usableN2, share1, share2, pooled,
                some(difference), some(variance), some(se), some(difference.subtract(half, MC)),
                some(difference.add(half, MC)), Optional.empty(), crude);
    }

    private static OptionalDouble ratio(long numerator, long denominator) {
        return some(Exact.n(numerator).divide(Exact.n(denominator), MC));
    }

    private static OptionalDouble some(BigDecimal b) {
        return OptionalDouble.of(ToDouble.of(b));
    }
}
