package org.spineoutcomes.outcome;

import java.math.BigDecimal;
import java.math.MathContext;

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
        return BigDecimal.valueOf(d);
    }

    /** A reported percentage part / whole x 100 to 34 digits; whole is not zero. Never compared. */
    static BigDecimal percent(BigDecimal part, BigDecimal whole) {
        return part.multiply(HUNDRED).divide(whole, MC);
    }

    /**
     * Sign of (part / whole x 100 - percent) for whole > 0, decided exactly by cross-multiplying:
     * part x 100 against whole x percent.
     */
    static int comparePercent(BigDecimal part, BigDecimal whole, BigDecimal percent) {
        return part.multiply(HUNDRED).compareTo(whole.multiply(percent));
    }
}
