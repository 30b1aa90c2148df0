package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Exact#sqrt} must give exactly the value Java's {@code BigDecimal.sqrt(DECIMAL128)} gives. */
class ExactSqrtTest {

    private static void assertSameValue(BigDecimal expected, BigDecimal actual, String what) {
        assertEquals(0, expected.compareTo(actual), what + ": expected " + expected + " but was " + actual);
    }

    @Test
    void publishedDigitsOfSquareRoots() {
        // sqrt(2) = 1.41421356237309504880168872420969807856... (OEIS A002193): 34 digits, the 35th is 0.
        assertSameValue(new BigDecimal("1.414213562373095048801688724209698"), Exact.sqrt(BigDecimal.valueOf(2)), "sqrt 2");
        // sqrt(3) = 1.73205080756887729352744634150587236694... (A002194): the 35th digit 3 rounds down.
        assertSameValue(new BigDecimal("1.732050807568877293527446341505872"), Exact.sqrt(BigDecimal.valueOf(3)), "sqrt 3");
        // sqrt(5) = 2.23606797749978969640917366873127623544... (A002163): the 35th digit 6 rounds up.
        assertSameValue(new BigDecimal("2.236067977499789696409173668731276"), Exact.sqrt(BigDecimal.valueOf(5)), "sqrt 5");
    }

    @Test
    void exactSquaresComeOutExactly() {
        assertSameValue(BigDecimal.valueOf(2), Exact.sqrt(BigDecimal.valueOf(4)), "sqrt 4");
        assertSameValue(new BigDecimal("0.1"), Exact.sqrt(new BigDecimal("0.01")), "sqrt 0.01");
        assertSameValue(new BigDecimal("1.2E+30"), Exact.sqrt(new BigDecimal("1.44E+60")), "sqrt 1.44e60");
        assertSameValue(new BigDecimal("3E-40"), Exact.sqrt(new BigDecimal("9E-80")), "sqrt 9e-80");
        assertSameValue(BigDecimal.ZERO, Exact.sqrt(BigDecimal.ZERO), "sqrt 0");
        assertThrows(ArithmeticException.class, () -> Exact.sqrt(BigDecimal.valueOf(-1)));
    }

    @Test
    void justBelowOneRoundsToThirtyFourNines() {
        // sqrt(1 - 1e-34) = 1 - 0.5e-34 - ...: digits 0.(34 nines)4999..., so 34 nines.
        BigDecimal x = BigDecimal.ONE.subtract(new BigDecimal("1E-34"));
        assertSameValue(new BigDecimal("0." + "9".repeat(34)), Exact.sqrt(x), "sqrt(1 - 1e-34)");
        assertSameValue(x.sqrt(MathContext.DECIMAL128), Exact.sqrt(x), "as Java rounds it");
    }

    @Test
    void agreesWithJavaOnTheValuesTheStatisticsTakeTheRootOf() {
        Random random = new Random(20261130);
        MathContext mc = MathContext.DECIMAL128;
        for (int i = 0; i < 50_000; i++) {
            BigDecimal x = switch (i % 5) {
                // quotients rounded to 34 digits (variances, squared standard errors)
                case 0 -> new BigDecimal(new BigInteger(1 + random.nextInt(100), random)).divide(BigDecimal.valueOf(1 + random.nextInt(1_000_000)), mc);
                // counts
                case 1 -> BigDecimal.valueOf(1 + random.nextInt(2_000_000));
                // exact sums with a few decimals, of any size
                case 2 -> new BigDecimal(new BigInteger(1 + random.nextInt(200), random).add(BigInteger.ONE), random.nextInt(60) - 20);
                // squares of 17-digit decimals rounded to 34 digits (near-exact squares)
                case 3 -> { BigDecimal y = new BigDecimal(new BigInteger(56, random).add(BigInteger.ONE), random.nextInt(30)); yield y.multiply(y, mc); }
                // tiny and huge
                default -> new BigDecimal(BigInteger.valueOf(1 + random.nextInt(1000)), random.nextInt(400) - 200);
            };
            assertSameValue(x.sqrt(mc), Exact.sqrt(x), "sqrt " + x);
        }
    }

    @Test
    void integerSquareRootIsTheFloor() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            BigInteger v = new BigInteger(1 + random.nextInt(600), random).add(BigInteger.ONE);
            BigInteger r = Exact.integerSqrt(v);
            assertEquals(v.sqrt(), r, "floor sqrt of " + v);
        }
    }
}
