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

    private static double solve(double df) {
        return new TDistribution(df, SOLVER_ABSOLUTE_ACCURACY).inverseCumulativeProbability(0.975);
    }
}
