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
        return canonical(WrittenDecimal.of(x));
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

    /**
     * The square root of {@code x >= 0} rounded half-even to {@link #MC}'s 34 significant digits: the
     * same value as {@code x.sqrt(MC)} (which Java documents as within half an ulp, so correctly rounded:
     * a square root never lies exactly halfway at 35 digits for an x of at most 34 digits), about five
     * times faster. Java 17's {@link BigDecimal#sqrt} refines with BigDecimal divisions and was a fifth
     * of the cell stage's time; this takes an integer square root of x scaled to 72+ digits (Newton from
     * a double estimate) and rounds its 36+ digits once, the remainder deciding a would-be tie.
     */
    static BigDecimal sqrt(BigDecimal x) {
        int sign = x.signum();
        if (sign < 0) throw new ArithmeticException("square root of a negative number: " + x);
        if (sign == 0) return BigDecimal.ZERO;
        java.math.BigInteger u = x.unscaledValue();
        int scale = x.scale();
        if ((scale & 1) != 0) { // an even scale halves exactly
            u = u.multiply(java.math.BigInteger.TEN);
            scale++;
        }
        // u x 10^2m with at least 71 digits, so its integer root has at least 36 (two below the rounding digit).
        int digits = decimalDigits(u);
        int m = Math.max(0, (72 - digits) / 2 + 1);
        java.math.BigInteger scaled = u.multiply(ToDouble.powerOfTen(2 * m));
        java.math.BigInteger root = integerSqrt(scaled);
        boolean inexact = !root.multiply(root).equals(scaled);
        int drop = decimalDigits(root) - MC.getPrecision();
        java.math.BigInteger[] parts = root.divideAndRemainder(ToDouble.powerOfTen(drop));
        java.math.BigInteger kept = parts[0];
        // The true root is root + f with 0 <= f < 1 (f > 0 when inexact): the dropped part is parts[1] + f.
        int vsHalf = parts[1].compareTo(ToDouble.powerOfTen(drop).shiftRight(1));
        if (vsHalf > 0 || vsHalf == 0 && (inexact || kept.testBit(0))) kept = kept.add(java.math.BigInteger.ONE);
        return new BigDecimal(kept, m + scale / 2 - drop);
    }

    /** Number of decimal digits of {@code v > 0}. */
    private static int decimalDigits(java.math.BigInteger v) {
        int estimate = (int) (v.bitLength() * 0.30102999566398120); // floor(log10(2^(bits))) <= digits
        return v.compareTo(ToDouble.powerOfTen(estimate)) >= 0 ? estimate + 1 : estimate;
    }

    /** floor(sqrt(v)) for v > 0: Newton's iteration from a 50-bit estimate, then corrected to the exact floor. */
    static java.math.BigInteger integerSqrt(java.math.BigInteger v) {
        int bits = v.bitLength();
        if (bits <= 52) {
            long value = v.longValue();
            long r = (long) Math.sqrt((double) value);
            while (r * r > value) r--;
            while ((r + 1) * (r + 1) <= value) r++;
            return java.math.BigInteger.valueOf(r);
        }
        int shift = (bits - 100) & ~1;
        java.math.BigInteger r = shift <= 0
                ? java.math.BigInteger.valueOf((long) Math.sqrt(v.doubleValue()))
                : java.math.BigInteger.valueOf((long) Math.sqrt(v.shiftRight(shift).doubleValue())).shiftLeft(shift / 2);
        while (true) { // each step doubles the correct bits (about two or three steps here); stops when it settles
            java.math.BigInteger next = r.add(v.divide(r)).shiftRight(1);
            if (next.subtract(r).abs().compareTo(java.math.BigInteger.ONE) <= 0) {
                r = next;
                break;
            }
            r = next;
        }
        while (r.multiply(r).compareTo(v) > 0) r = r.subtract(java.math.BigInteger.ONE);
        while (r.add(java.math.BigInteger.ONE).multiply(r.add(java.math.BigInteger.ONE)).compareTo(v) <= 0) r = r.add(java.math.BigInteger.ONE);
        return r;
    }
}
