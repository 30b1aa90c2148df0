package org.spineoutcomes.outcome;

import java.math.BigDecimal;
import java.math.MathContext;
import org.spineoutcomes.stats.WrittenDecimal;

/**
 * Exact arithmetic on clinical inputs (docs/computation-rules.md R35). Each double stands for the decimal it is written
 * as, so 23.7 is 237/10 and a reference of (23.1 + 24.3) / 2 equals a PRE height of 23.7. Thresholds on
 * a ratio are tested by cross-multiplying, never on a rounded quotient; a reported ratio is the exact
 * value rounded to 34 digits, then to the nearest double.
 */
final class ExactDecimals {
    private ExactDecimals() {}

    /** Precision of the few reported quotients (percentages). */
    static final MathContext MC = MathContext.DECIMAL128;
    static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    /**
     * R35: the decimal a double input is written as (its shortest round-trip form), never its binary
     * value: {@code new BigDecimal(23.7)} is 23.699999999999999289..., which made a reference equal to
     * the PRE height look like a loss of 1.8e-15 mm.
     */
    static BigDecimal exact(double d) {
        return WrittenDecimal.of(d);
    }

    /** A reported percentage part / whole x 100 to 34 digits; whole is not zero. Never compared. */
    static BigDecimal percent(BigDecimal part, BigDecimal whole) {
        return part.multiply(HUNDRED).divide(whole, MC);
    }

    /** Largest magnitude a long keeps exactly as a double. */
    private static final long EXACT_IN_DOUBLE = 1L << 53;
    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
            1_000_000_000, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L};

    /**
     * The reported percentage as a double: {@code ToDouble.of(percent(part, whole))}, the same bits. With short
     * decimals (the inputs are pains and heights written with a few digits) it is one double division:
     * part x 100 / whole = N / D with whole numbers N and D below 2^53, which IEEE division rounds correctly to
     * the double nearest N / D. The 34-digit quotient rounds to that same double: it is within 5e-34 of N / D
     * (relatively), and N / D is either a double itself or not a dyadic fraction, so never a midpoint between
     * two doubles, from which it then is at least 1 / (D 2^54) > 6e-33 away. Any other input takes the 34-digit
     * route ({@code ExactDecimalsTest} compares both on random and edge values).
     */
    static double percentAsDouble(BigDecimal part, BigDecimal whole) {
        int partScale = part.scale();
        int wholeScale = whole.scale();
        if (partScale >= 0 && wholeScale >= 0 && partScale < POWERS_OF_TEN.length && wholeScale < POWERS_OF_TEN.length
                && part.precision() <= 15 && whole.precision() <= 15) {
            // part = p / 10^ps, whole = w / 10^ws: part x 100 / whole = (p x 100 x 10^ws) / (w x 10^ps).
            long p = part.unscaledValue().longValueExact();
            long w = whole.unscaledValue().longValueExact();
            long n = multiplyOrZero(multiplyOrZero(p, 100), POWERS_OF_TEN[wholeScale]);
            long d = multiplyOrZero(w, POWERS_OF_TEN[partScale]);
            if (p == 0) return 0.0;
            if (n != 0 && d != 0 && Math.abs(n) < EXACT_IN_DOUBLE && Math.abs(d) < EXACT_IN_DOUBLE) {
                return (double) n / (double) d;
            }
        }
        return org.spineoutcomes.stats.ToDouble.of(percent(part, whole));
    }

    /** a x b, or 0 when it does not fit in a long (the caller then takes the exact route). */
    private static long multiplyOrZero(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) || (hi == -1 && lo < 0) ? lo : 0;
    }

    /**
     * Sign of (part / whole x 100 - percent) for whole > 0, decided exactly by cross-multiplying:
     * part x 100 against whole x percent.
     */
    static int comparePercent(BigDecimal part, BigDecimal whole, BigDecimal percent) {
        return part.multiply(HUNDRED).compareTo(whole.multiply(percent));
    }
}
