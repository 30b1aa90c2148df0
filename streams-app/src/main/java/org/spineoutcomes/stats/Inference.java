package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Derived values from the exact sufficient statistics (R31, R32). Differences of large sums are
 * formed exactly (e.g. n*Sxx - Sx^2 is exact in BigDecimal), then divided and square-rooted ({@link Exact#sqrt}) with
 * 34 significant digits ({@link MathContext#DECIMAL128}), and only the final value becomes a double.
 * Anything that cannot be computed is absent with an {@link AbsentReason}.
 */
public final class Inference {
    private Inference() {}

    /** R31: the Wilson z, exactly as written in the rule (not 1.96). */
    public static final BigDecimal Z_95 = new BigDecimal("1.959963984540054");

    private static final MathContext MC = Exact.MC;
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal FOUR = BigDecimal.valueOf(4);

    // ---------------------------------------------------------------- one arm

    /** Mean (n >= 1), SD with n - 1 and 95% t CI (n >= 2) (R31). */
    public static MeanEstimate mean(Moments m) {
        Objects.requireNonNull(m, "moments");
        long n = m.n();
        if (n < 1) {
            return new MeanEstimate(n, none(), none(), none(), none(), Optional.of(AbsentReason.N_ZERO));
        }
        BigDecimal bn = Exact.n(n);
        BigDecimal mean = m.sum().divide(bn, MC);
        if (n < 2) {
            return new MeanEstimate(n, some(mean), none(), none(), none(), Optional.of(AbsentReason.N_LT_2));
        }
        BigDecimal variance = centredSumTimesN(n, m.sum(), m.sumOfSquares(), "moments")
                .divide(bn.multiply(Exact.n(n - 1)), MC);
        BigDecimal sd = Exact.sqrt(variance);
        BigDecimal half = new BigDecimal(StudentT.quantile975(n - 1)).multiply(sd, MC).divide(sqrtOf(n), MC);
        return new MeanEstimate(n, some(mean), some(sd), some(mean.subtract(half, MC)), some(mean.add(half, MC)),
                Optional.empty());
    }

    /** Proportion with the Wilson score 95% interval (R31); n = 0: absent. */
    public static ProportionEstimate wilson(Proportion p) {
        Objects.requireNonNull(p, "proportion");
        if (p.n() < 1) {
            return new ProportionEstimate(p.n(), p.successes(), none(), none(), none(), Optional.of(AbsentReason.N_ZERO));
        }
        BigDecimal[] w = wilsonBounds(p);
        return new ProportionEstimate(p.n(), p.successes(), some(w[0]), some(w[1]), some(w[2]), Optional.empty());
    }

    /**
     * {p, lower, upper}. With x successes of n: centre = (x + z^2/2) / (n + z^2),
     * half-width = z sqrt(x (n - x) / n + z^2 / 4) / (n + z^2) (the usual Wilson formula times n/n).
     * x = 0 gives lower = 0 and x = n gives upper = 1 exactly (centre equals half-width there).
     */
    private static BigDecimal[] wilsonBounds(Proportion p) {
        long n = p.n();
        long x = p.successes();
        if (x < 0 || x > n) {
            throw new IllegalStateException("proportion successes " + x + " outside 0.." + n);
        }
        // A pure function of (n, x), asked again for every publication of a cell and of its comparisons. Keyed by
        // the record: a long n << 32 | x hashes to n ^ x, and the colliding keys made the lookup a third of the cost.
        return WILSON_BOUNDS.get(p, q -> computeWilsonBounds(q.n(), q.successes()));
    }

    /** Wilson bounds by (n, x); the arrays are never written. */
    private static final PureCache<Proportion, BigDecimal[]> WILSON_BOUNDS = new PureCache<>(200_000);

    private static BigDecimal[] computeWilsonBounds(long n, long x) {
        BigDecimal bn = Exact.n(n);
        BigDecimal bx = Exact.n(x);
        BigDecimal z2 = Z_95.multiply(Z_95);
        BigDecimal denominator = bn.add(z2);
        BigDecimal centre = bx.add(z2.divide(TWO)).divide(denominator, MC);
        BigDecimal radicand = bx.multiply(bn.subtract(bx)).divide(bn, MC).add(z2.divide(FOUR), MC);
        BigDecimal half = Z_95.multiply(Exact.sqrt(radicand), MC).divide(denominator, MC);
        BigDecimal lower = x == 0 ? BigDecimal.ZERO : centre.subtract(half, MC);
        BigDecimal upper = x == n ? BigDecimal.ONE : centre.add(half, MC);
        return new BigDecimal[] {bx.divide(bn, MC), lower, upper};
    }

    // ---------------------------------------------------------------- two arms (first minus second)

    /** Welch mean difference first minus second (R32). */
    public static WelchEstimate welch(Moments first, Moments second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        long n1 = first.n();
        long n2 = second.n();
        if (n1 < 1 || n2 < 1) {
            return new WelchEstimate(n1, n2, n1 >= 1 ? some(first.sum().divide(Exact.n(n1), MC)) : none(),
                    n2 >= 1 ? some(second.sum().divide(Exact.n(n2), MC)) : none(),
                    none(), none(), none(), none(), none(), Optional.of(AbsentReason.N_ZERO));
        }
        BigDecimal bn1 = Exact.n(n1);
        BigDecimal bn2 = Exact.n(n2);
        BigDecimal mean1 = first.sum().divide(bn1, MC);
        BigDecimal mean2 = second.sum().divide(bn2, MC);
        // (S1 n2 - S2 n1) / (n1 n2): exact numerator, so close means lose nothing.
        BigDecimal difference = first.sum().multiply(bn2).subtract(second.sum().multiply(bn1)).divide(bn1.multiply(bn2), MC);
        if (n1 < 2 || n2 < 2) {
            return new WelchEstimate(n1, n2, some(mean1), some(mean2), some(difference), none(), none(), none(), none(),
                    Optional.of(AbsentReason.N_LT_2));
        }
        // s_i^2 / n_i = (n Sxx - Sx^2) / (n^2 (n - 1))
        BigDecimal a = centredSumTimesN(n1, first.sum(), first.sumOfSquares(), "first")
                .divide(bn1.multiply(bn1).multiply(Exact.n(n1 - 1)), MC);
        BigDecimal b = centredSumTimesN(n2, second.sum(), second.sumOfSquares(), "second")
                .divide(bn2.multiply(bn2).multiply(Exact.n(n2 - 1)), MC);
        BigDecimal seSquared = a.add(b, MC);
        if (seSquared.signum() == 0) {
            return new WelchEstimate(n1, n2, some(mean1), some(mean2), some(difference), OptionalDouble.of(0.0), none(),
                    none(), none(), Optional.of(AbsentReason.SE_ZERO));
        }
        BigDecimal se = Exact.sqrt(seSquared);
        BigDecimal df = seSquared.multiply(seSquared, MC).divide(
                a.multiply(a, MC).divide(Exact.n(n1 - 1), MC).add(b.multiply(b, MC).divide(Exact.n(n2 - 1), MC), MC), MC);
        BigDecimal half = new BigDecimal(StudentT.quantile975(ToDouble.of(df))).multiply(se, MC);
        return new WelchEstimate(n1, n2, some(mean1), some(mean2), some(difference), some(se), some(df),
                some(difference.subtract(half, MC)), some(difference.add(half, MC)), Optional.empty());
    }

    /**
     * ANCOVA of y on x with a common within-arm slope, first minus second (R32), exactly as the rule
     * writes it. With A = n1 n2, every within-arm centred sum times A has an exact numerator:
     * Cxx_i = (n_i Sxx_i - Sx_i^2) / n_i, so A (Cxx_1 + Cxx_2) = n2 (n1 Sxx_1 - Sx_1^2) + n1 (n2 Sxx_2 - Sx_2^2).
     * beta = Sxy / Sxx (pooled within-arm); delta = (ybar1 - ybar2) - beta (xbar1 - xbar2);
     * s^2 = (Syy - Sxy^2 / Sxx) / (n1 + n2 - 3); Var = s^2 (1/n1 + 1/n2 + (xbar1 - xbar2)^2 / Sxx).
     */
    public static AncovaEstimate ancova(PairedMoments first, PairedMoments second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        long n1 = first.n();
        long n2 = second.n();
        if (n1 < 1 || n2 < 1) {
            return absentAncova(n1, n2, AbsentReason.N_ZERO);
        }
        long df = n1 + n2 - 3;
        if (df < 1) {
            return absentAncova(n1, n2, AbsentReason.DF_LT_1);
        }
        BigDecimal bn1 = Exact.n(n1);
        BigDecimal bn2 = Exact.n(n2);
        BigDecimal scale = bn1.multiply(bn2); // A
        BigDecimal sxxA = bn2.multiply(bn1.multiply(first.sumXX()).subtract(Exact.square(first.sumX())))
                .add(bn1.multiply(bn2.multiply(second.sumXX()).subtract(Exact.square(second.sumX()))));
        BigDecimal syyA = bn2.multiply(bn1.multiply(first.sumYY()).subtract(Exact.square(first.sumY())))
                .add(bn1.multiply(bn2.multiply(second.sumYY()).subtract(Exact.square(second.sumY()))));
        BigDecimal sxyA = bn2.multiply(bn1.multiply(first.sumXY()).subtract(first.sumX().multiply(first.sumY())))
                .add(bn1.multiply(bn2.multiply(second.sumXY()).subtract(second.sumX().multiply(second.sumY()))));
        if (sxxA.signum() < 0 || syyA.signum() < 0) {
            throw new IllegalStateException("paired sums are inconsistent (negative centred sum of squares)");
        }
        if (sxxA.signum() == 0) {
            return absentAncova(n1, n2, AbsentReason.SXX_ZERO);
        }
        BigDecimal beta = sxyA.divide(sxxA, MC);
        // (xbar1 - xbar2) = (Sx1 n2 - Sx2 n1) / A, exact numerator; same for y.
        BigDecimal dx = first.sumX().multiply(bn2).subtract(second.sumX().multiply(bn1)).divide(scale, MC);
        BigDecimal dy = first.sumY().multiply(bn2).subtract(second.sumY().multiply(bn1)).divide(scale, MC);
        BigDecimal delta = dy.subtract(beta.multiply(dx, MC), MC);
        // RSS = (Syy Sxx - Sxy^2) / Sxx = (syyA sxxA - sxyA^2) / (sxxA A): exact numerator, never negative.
        BigDecimal rssNumerator = syyA.multiply(sxxA).subtract(Exact.square(sxyA));
        if (rssNumerator.signum() < 0) {
            throw new IllegalStateException("paired sums are inconsistent (negative residual sum of squares)");
        }
        BigDecimal residualVariance = rssNumerator.divide(sxxA.multiply(scale).multiply(Exact.n(df)), MC);
        BigDecimal sxx = sxxA.divide(scale, MC);
        BigDecimal factor = BigDecimal.ONE.divide(bn1, MC).add(BigDecimal.ONE.divide(bn2, MC), MC)
                .add(dx.multiply(dx, MC).divide(sxx, MC), MC);
        BigDecimal se = Exact.sqrt(residualVariance.multiply(factor, MC));
        BigDecimal half = new BigDecimal(StudentT.quantile975(df)).multiply(se, MC);
        return new AncovaEstimate(n1, n2, some(beta), some(delta), some(se), OptionalLong.of(df),
                some(delta.subtract(half, MC)), some(delta.add(half, MC)), Optional.empty());
    }

    private static AncovaEstimate absentAncova(long n1, long n2, AbsentReason reason) {
        return new AncovaEstimate(n1, n2, none(), none(), none(), OptionalLong.empty(), none(), none(), Optional.of(reason));
    }

    /**
     * Risk difference p1 - p2 with Newcombe's hybrid score interval (Stat Med 1998;17:873, method 10):
     * with Wilson limits (l1, u1) and (l2, u2), lower = D - sqrt((p1 - l1)^2 + (u2 - p2)^2),
     * upper = D + sqrt((u1 - p1)^2 + (p2 - l2)^2).
     */
    public static RiskDifferenceEstimate newcombe(Proportion first, Proportion second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        if (first.n() < 1 || second.n() < 1) {
            return new RiskDifferenceEstimate(first.n(), second.n(), first.successes(), second.successes(),
                    first.n() >= 1 ? some(Exact.n(first.successes()).divide(Exact.n(first.n()), MC)) : none(),
                    second.n() >= 1 ? some(Exact.n(second.successes()).divide(Exact.n(second.n()), MC)) : none(),
                    none(), none(), none(), Optional.of(AbsentReason.N_ZERO));
        }
        BigDecimal[] w1 = wilsonBounds(first);
        BigDecimal[] w2 = wilsonBounds(second);
        BigDecimal p1 = w1[0];
        BigDecimal p2 = w2[0];
        // Exact numerator again: (x1 n2 - x2 n1) / (n1 n2).
        BigDecimal d = Exact.n(first.successes()).multiply(Exact.n(second.n()))
                .subtract(Exact.n(second.successes()).multiply(Exact.n(first.n())))
                .divide(Exact.n(first.n()).multiply(Exact.n(second.n())), MC);
        BigDecimal below = Exact.sqrt(sumOfSquares(p1.subtract(w1[1]), w2[2].subtract(p2)));
        BigDecimal above = Exact.sqrt(sumOfSquares(w1[2].subtract(p1), p2.subtract(w2[1])));
        return new RiskDifferenceEstimate(first.n(), second.n(), first.successes(), second.successes(), some(p1), some(p2),
                some(d), some(d.subtract(below, MC)), some(d.add(above, MC)), Optional.empty());
    }

    // ---------------------------------------------------------------- helpers

    private static final PureCache<Long, BigDecimal> SQRT_OF_COUNT = new PureCache<>(200_000);

    /** sqrt(n) to 34 digits: a pure function of the count, asked for every mean of every publication. */
    private static BigDecimal sqrtOf(long n) {
        return SQRT_OF_COUNT.get(n, k -> Exact.sqrt(Exact.n(k)));
    }

    /** n * sum((x - mean)^2) = n Sxx - Sx^2, exact. */
    static BigDecimal centredSumTimesN(long n, BigDecimal sum, BigDecimal sumOfSquares, String what) {
        BigDecimal v = Exact.n(n).multiply(sumOfSquares).subtract(Exact.square(sum));
        if (v.signum() < 0) {
            throw new IllegalStateException(what + " sums are inconsistent (n*Sxx - Sx^2 < 0)");
        }
        return v;
    }

    private static BigDecimal sumOfSquares(BigDecimal a, BigDecimal b) {
        return a.multiply(a, MC).add(b.multiply(b, MC), MC);
    }

    private static OptionalDouble some(BigDecimal b) {
        return OptionalDouble.of(ToDouble.of(b));
    }

    private static OptionalDouble none() {
        return OptionalDouble.empty();
    }
}
