package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Exact decimal helpers. Every finite double stands for its shortest decimal (R35), and BigDecimal addition,
 * subtraction and multiplication without a MathContext are exact, so sums built here do not
 * depend on the order of the additions. Values are kept canonical (trailing zeros stripped, zero
 * as {@link BigDecimal#ZERO}) so that numerically equal sums are also {@code equals}.
 */
final class Exact {
    private Exact() {}

    /** Precision for the few divisions and square roots of derived values (34 significant digits). */
    static final MathContext MC = MathContext.DECIMAL128;

    static BigDecimal of(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("value is not finite: " + x);
        }
        // R35: a double stands for the decimal it is written as. Short decimals also keep the sums in
        // BigDecimal's compact (long) form, which made the exact sums several times cheaper than the
        // 50-digit binary expansions used before.
        return canonical(BigDecimal.valueOf(x));
    }

    static BigDecimal canonical(BigDecimal b) {
        return b.signum() == 0 ? BigDecimal.ZERO : b.stripTrailingZeros();
    }

    static BigDecimal add(BigDecimal a, BigDecimal b) {
        return canonical(a.add(b));
    }

    static BigDecimal subtract(BigDecimal a, BigDecimal b) {
        return canonical(a.subtract(b));
    }

    static BigDecimal square(BigDecimal a) {
        return a.multiply(a);
    }

    static BigDecimal n(long n) {
        return BigDecimal.valueOf(n);
    }
}
