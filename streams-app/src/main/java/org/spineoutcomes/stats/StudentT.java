package org.spineoutcomes.stats;

import java.util.concurrent.ConcurrentHashMap;
import org.hipparchus.distribution.continuous.TDistribution;

/** Two-sided 95% Student-t quantiles from Hipparchus (a maintained library, not a table). */
public final class StudentT {
    private StudentT() {}

    /**
     * Absolute accuracy asked of Hipparchus' root finder. Its default (1e-9) is at the edge of the
     * 1e-9 relative tolerance the independent checker applies (docs/computation-rules.md preamble), so ask for more.
     */
    static final double SOLVER_ABSOLUTE_ACCURACY = 1e-14;

    /** Integer df (every mean CI, every ANCOVA) recur constantly; each solve costs tens of microseconds. */
    private static final ConcurrentHashMap<Long, Double> INTEGER_DF_CACHE = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 100_000;

    /** The 0.975 quantile of Student's t with {@code df} degrees of freedom (df may be fractional). */
    public static double quantile975(double df) {
        if (!(df > 0) || Double.isInfinite(df)) {
            throw new IllegalArgumentException("degrees of freedom must be positive and finite: " + df);
        }
        if (df == Math.rint(df) && INTEGER_DF_CACHE.size() < CACHE_LIMIT) {
            return INTEGER_DF_CACHE.computeIfAbsent((long) df, StudentT::solve);
        }
        return solve(df);
    }

    /** From this df on Newton starts from the Cornish-Fisher expansion; below, from z. */
    static final double NEWTON_FROM_DF = 3;
    private static final double P = 0.975;
    /** The standard normal 0.975 quantile (R31's z). */
    private static final double Z = 1.959963984540054;

    /**
     * Halley's method on F(t) = 0.975 from the Cornish-Fisher expansion (Abramowitz and Stegun
     * 26.7.5, four terms). Each step costs one CDF and one density evaluation (the density's
     * derivative is closed-form: f'(t) = -f(t) (df + 1) t / (df + t^2)) and cubes the error, so
     * a step smaller than 1e-7 t leaves an error far below a double's resolution: one or two CDF
     * evaluations where Newton took three or four and Hipparchus' bracketing solver tens. Welch's
     * fractional df make a fresh solve per published comparison, so this is a visible share of
     * publishing. Falls back to the bracketing solver for df below 1 or if Halley does not settle.
     */
    static double solve(double df) {
        if (df >= 1) {
            TDistribution t = new TDistribution(df);
            // z is left of every t quantile; for small df, where the expansion is poor, start there.
            double x = df >= NEWTON_FROM_DF ? cornishFisher(df) : Z;
            for (int i = 0; i < 40; i++) {
                double g = t.cumulativeProbability(x) - P;
                double f = t.density(x);
                double fPrime = -f * (df + 1) * x / (df + x * x);
                double newton = g / f;
                double step = newton / (1 - newton * fPrime / (2 * f));
                x -= step;
                if (Math.abs(step) <= HALLEY_SETTLED * x) return x;
            }
        }
        return bracketed(df);
    }

    /** A Halley step this small (relative) leaves an error of its cube: settled. */
    static final double HALLEY_SETTLED = 1e-7;

    /** Hipparchus' own inverse CDF (bracketing and Brent) at the accuracy above. */
    static double bracketed(double df) {
        return new TDistribution(df, SOLVER_ABSOLUTE_ACCURACY).inverseCumulativeProbability(P);
    }

    static double cornishFisher(double df) {
        double z2 = Z * Z;
        double g1 = (z2 + 1) * Z / 4;
        double g2 = ((5 * z2 + 16) * z2 + 3) * Z / 96;
        double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * Z / 384;
        double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * Z / 92160;
        return Z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
    }
}
