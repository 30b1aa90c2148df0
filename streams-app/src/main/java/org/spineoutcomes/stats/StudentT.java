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
     * Newton's method on F(t) = 0.975 from the Cornish-Fisher expansion (Abramowitz and Stegun
     * 26.7.5, four terms): two to four steps, each one CDF and one density evaluation, where
     * Hipparchus' bracketing solver needs tens of CDF evaluations. Welch's fractional df make a fresh
     * solve per published comparison, so this was a visible share of publishing. Falls back to the
     * bracketing solver for small df or if Newton does not settle.
     */
    static double solve(double df) {
        if (df >= 1) {
            TDistribution t = new TDistribution(df);
            // For t > 0 the CDF is increasing and concave, so Newton from any point left of the root
            // climbs to it without overshooting; z (always left of the t quantile) is such a point for
            // small df, where the expansion is poor.
            double x = df >= NEWTON_FROM_DF ? cornishFisher(df) : Z;
            for (int i = 0; i < 40; i++) {
                double step = (t.cumulativeProbability(x) - P) / t.density(x);
                x -= step;
                if (Math.abs(step) <= 1e-15 * x) return x;
            }
        }
        return bracketed(df);
    }

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
