package org.spineoutcomes.stats;

import java.math.BigDecimal;

/**
 * The decimal a double is written as (R35): exactly {@link BigDecimal#valueOf(double)}, the same value and
 * the same scale, without its detour through {@link Double#toString(double)} for the short decimals clinical
 * inputs are (a height of 23.7 mm, a pain of 6, an index of 0.815). Formatting the double was a fifth of
 * computing a patient's outcome (JMH outcomePerPatient).
 *
 * <p>Why the shortcut gives the same result: for |d| in [10^-3, 10^7) {@code Double.toString} writes plain
 * digits, at least one after the point, and as few as tell d apart from every other double. If d is the
 * double nearest m / 10^k for a whole m with fewer than 7 digits and the least such k from 1 to 3, that
 * text is m / 10^k written with k decimals: a shorter one would have a smaller k, and two decimals of 7
 * significant digits are never nearest to the same double (doubles have 15). IEEE division of the whole
 * numbers m and 10^k rounds correctly, so {@code m / 10^k == d} tests "nearest" exactly.
 * {@code WrittenDecimalTest} compares both ways on every such m and k.
 */
public final class WrittenDecimal {
    private WrittenDecimal() {}

    private static final double[] POWERS_OF_TEN = {1, 10, 100, 1_000};
    /** Whole m of the shortcut stay below this, so m / 10^k stays inside the plain-digit range. */
    static final long SHORTCUT_BOUND = 1_000_000;
    static final int SHORTCUT_MAX_DECIMALS = 3;

    public static BigDecimal of(double d) {
        for (int k = 1; k <= SHORTCUT_MAX_DECIMALS; k++) {
            double scaled = d * POWERS_OF_TEN[k];
            if (!(Math.abs(scaled) < SHORTCUT_BOUND)) break;
            long m = Math.round(scaled);
            if (m / POWERS_OF_TEN[k] == d) return BigDecimal.valueOf(m, k);
        }
        return BigDecimal.valueOf(d);
    }
}
