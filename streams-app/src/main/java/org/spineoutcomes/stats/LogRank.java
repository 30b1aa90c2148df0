package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;
import org.hipparchus.special.Erf;

/**
 * The log-rank test of two Kaplan-Meier cells, first (A) against second (B), with the one-step hazard
 * ratio (docs/computation-rules.md R38). Over every day with an event in either arm, with n_A, n_B at
 * risk (time >= day), n = n_A + n_B and d = d_A + d_B:
 *
 * <pre>
 *   E_A = sum d n_A / n
 *   V   = sum d n_A n_B (n - d) / (n^2 (n - 1))        a day with n = 1 adds 0
 *   chi-square = (O_A - E_A)^2 / V,  p = P(chi-square_1 > chi-square) = erfc(sqrt(chi-square / 2))
 *   HR  = exp((O_A - E_A) / V),      95% CI exp((O_A - E_A) / V +- z / sqrt V)
 * </pre>
 *
 * Each day's term has an exact integer numerator, so V = 0 is decided exactly. The p-value uses the
 * complementary error function (Hipparchus), which keeps small p-values that 1 - CDF would round to 0.
 */
public final class LogRank {
    private LogRank() {}

    private static final MathContext MC = Exact.MC;
    private static final double Z = Inference.Z_95.doubleValue();

    /**
     * @throws IllegalStateException for counts with a negative entry (a subtraction without its addition)
     */
    public static LogRankEstimate compare(SurvivalCounts first, SurvivalCounts second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        if (!first.hasNoNegativeCounts() || !second.hasNoNegativeCounts()) {
            throw new IllegalStateException("survival counts are negative (a subtraction without its addition)");
        }
        long atRiskA = first.patients();
        long atRiskB = second.patients();
        long observedA = first.events();
        long observedB = second.events();
        BigDecimal expected = BigDecimal.ZERO;
        BigDecimal variance = BigDecimal.ZERO;
        boolean positiveVariance = false;
        // One view of each (byDay() builds a map).
        java.util.NavigableMap<Integer, SurvivalCounts.DayCounts> firstByDay = first.byDay();
        java.util.NavigableMap<Integer, SurvivalCounts.DayCounts> secondByDay = second.byDay();
        TreeSet<Integer> days = new TreeSet<>(firstByDay.keySet());
        days.addAll(secondByDay.keySet());
        for (int day : days) {
            SurvivalCounts.DayCounts a = firstByDay.getOrDefault(day, SurvivalCounts.DayCounts.ZERO);
            SurvivalCounts.DayCounts b = secondByDay.getOrDefault(day, SurvivalCounts.DayCounts.ZERO);
            long d = a.events() + b.events();
            if (d > 0) {
                long n = atRiskA + atRiskB;
                BigDecimal bn = Exact.n(n);
                expected = expected.add(Exact.n(d).multiply(Exact.n(atRiskA)).divide(bn, MC), MC);
                if (n > 1) {
                    BigDecimal numerator = Exact.n(d).multiply(Exact.n(atRiskA)).multiply(Exact.n(atRiskB))
                            .multiply(Exact.n(n - d));
                    positiveVariance |= numerator.signum() > 0;
                    variance = variance.add(numerator.divide(bn.multiply(bn).multiply(Exact.n(n - 1)), MC), MC);
                }
            }
            atRiskA -= a.patients();
            atRiskB -= b.patients();
        }
        OptionalDouble none = OptionalDouble.empty();
        if (!positiveVariance) {
            AbsentReason reason = observedA + observedB == 0 ? AbsentReason.NO_EVENTS : AbsentReason.ZERO_VARIANCE;
            return new LogRankEstimate(first.patients(), second.patients(), observedA, observedB, ToDouble.of(expected),
                    0.0, none, none, none, none, none, Optional.of(reason));
        }
        BigDecimal observedMinusExpected = Exact.n(observedA).subtract(expected, MC);
        BigDecimal chiSquare = observedMinusExpected.multiply(observedMinusExpected, MC).divide(variance, MC);
        double pValue = Erf.erfc(Math.sqrt(ToDouble.of(chiSquare) / 2));
        double logHazardRatio = ToDouble.of(observedMinusExpected.divide(variance, MC));
        double half = Z / ToDouble.of(Exact.sqrt(variance));
        return new LogRankEstimate(first.patients(), second.patients(), observedA, observedB, ToDouble.of(expected),
                ToDouble.of(variance), OptionalDouble.of(ToDouble.of(chiSquare)), OptionalDouble.of(pValue),
                OptionalDouble.of(Math.exp(logHazardRatio)), OptionalDouble.of(Math.exp(logHazardRatio - half)),
                OptionalDouble.of(Math.exp(logHazardRatio + half)), Optional.empty());
    }
}
