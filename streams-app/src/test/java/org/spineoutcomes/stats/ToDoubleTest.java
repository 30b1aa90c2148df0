package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ToDouble} gives exactly the bits of {@link BigDecimal#doubleValue()}. */
class ToDoubleTest {

    private static void same(BigDecimal x) {
        assertEquals(Double.doubleToRawLongBits(x.doubleValue()), Double.doubleToRawLongBits(ToDouble.of(x)), x::toString);
    }

    @Test
    void knownValues() {
        assertEquals(0.1, ToDouble.of(new BigDecimal("0.1000000000000000000000000000000000")));
        assertEquals(1.0 / 3, ToDouble.of(BigDecimal.ONE.divide(BigDecimal.valueOf(3), MathContext.DECIMAL128)));
        assertEquals(-2.25, ToDouble.of(new BigDecimal("-2.250000000000000000000000000000001")));
        assertEquals(0.0, ToDouble.of(new BigDecimal("0E-40")));
        assertEquals(12.5, ToDouble.of(new BigDecimal("12.5")));
    }

    /** Decimals exactly halfway between two doubles, and one unit of the 40th digit either side. */
    @Test
    void tiesAndNearTies() {
        SplittableRandom rnd = new SplittableRandom(35);
        for (int i = 0; i < 20_000; i++) {
            double a = (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-12, 12));
            if (a == 0) continue;
            BigDecimal lo = new BigDecimal(a);
            BigDecimal hi = new BigDecimal(Math.nextUp(a));
            BigDecimal mid = lo.add(hi).divide(BigDecimal.valueOf(2)); // exact: a binary fraction
            same(mid);
            BigDecimal tiny = BigDecimal.ONE.movePointLeft(40 + mid.precision() - mid.scale());
            same(mid.add(tiny));
            same(mid.subtract(tiny));
            same(mid.round(MathContext.DECIMAL128));
        }
    }

    /** What the statistics produce: quotients, square roots and sums with 34 significant digits, any sign and size. */
    @Test
    void randomDecimal128Values() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 50_000; i++) {
            BigDecimal num = BigDecimal.valueOf(rnd.nextLong(-1_000_000_000_000L, 1_000_000_000_000L), rnd.nextInt(-5, 12));
            BigDecimal den = BigDecimal.valueOf(rnd.nextLong(1, 10_000_000L), rnd.nextInt(-3, 6));
            BigDecimal q = num.divide(den, MathContext.DECIMAL128);
            same(q);
            same(q.abs().sqrt(MathContext.DECIMAL128));
            same(q.setScale(rnd.nextInt(0, 60), RoundingMode.HALF_EVEN));
        }
    }

    @Test
    void extremeScalesTakeTheSlowPathAndStillAgree() {
        same(new BigDecimal(BigInteger.valueOf(123456789), 330));   // subnormal range
        same(new BigDecimal(BigInteger.valueOf(987654321), 500));   // underflows to 0
        same(new BigDecimal(BigInteger.valueOf(5), -400));           // overflows to infinity
        same(new BigDecimal("1e-300").multiply(new BigDecimal("1.000000000000000000000000000000001")));
    }
}
