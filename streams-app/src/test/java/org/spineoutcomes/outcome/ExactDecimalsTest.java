package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** R35 arithmetic shared by the score and imaging rules. */
class ExactDecimalsTest {

    @Test
    void exact_isTheDecimalAsWritten() {
        // 23.7 is 237/10, not the binary 23.699999999999999289...; so (23.1 + 24.3) / 2 equals 23.7.
        assertEquals(new BigDecimal("23.7"), ExactDecimals.exact(23.7));
        assertNotEquals(0, new BigDecimal(23.7).compareTo(new BigDecimal("23.7")));
        BigDecimal mean = ExactDecimals.exact(23.1).add(ExactDecimals.exact(24.3)).divide(BigDecimal.valueOf(2));
        assertEquals(0, mean.compareTo(ExactDecimals.exact(23.7)));
    }

    @Test
    void comparePercent_crossMultipliesWithoutDividing() {
        // 2.1 of 7 against 30 %: 2.1 x 100 = 210 vs 7 x 30 = 210 -> 0 (equal); 2.09 -> 209 < 210 -> negative.
        BigDecimal seven = BigDecimal.valueOf(7);
        BigDecimal thirty = BigDecimal.valueOf(30);
        assertEquals(0, ExactDecimals.comparePercent(new BigDecimal("2.1"), seven, thirty));
        assertEquals(-1, ExactDecimals.comparePercent(new BigDecimal("2.09"), seven, thirty));
        assertEquals(1, ExactDecimals.comparePercent(new BigDecimal("2.11"), seven, thirty));
    }

    @Test
    void percent_isRoundedTo34DigitsThenToDouble() {
        // 1 of 3 x 100 = 33.33...3 (34 digits) -> the double nearest 100/3.
        assertEquals(100.0 / 3, ExactDecimals.percent(BigDecimal.ONE, BigDecimal.valueOf(3)).doubleValue(), 0.0);
        assertEquals(34, ExactDecimals.percent(BigDecimal.ONE, BigDecimal.valueOf(3)).precision());
    }

    @Test
    void percentAsDouble_byHand() {
        // 3 of 8 = 37.5 % exactly; 1 of 3 = 33.33...% -> the double nearest 100/3; 2.5 mm lost of 25.0 mm = 10 %.
        assertEquals(37.5, ExactDecimals.percentAsDouble(BigDecimal.valueOf(3), BigDecimal.valueOf(8)), 0.0);
        assertEquals(100.0 / 3, ExactDecimals.percentAsDouble(BigDecimal.ONE, BigDecimal.valueOf(3)), 0.0);
        assertEquals(10.0, ExactDecimals.percentAsDouble(new BigDecimal("2.5"), new BigDecimal("25.0")), 0.0);
        assertEquals(-12.5, ExactDecimals.percentAsDouble(new BigDecimal("-1"), BigDecimal.valueOf(8)), 0.0);
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(
                ExactDecimals.percentAsDouble(new BigDecimal("0.00"), new BigDecimal("-3.1"))), "zero, not -0.0, as ToDouble gives");
    }

    @Test
    void percentAsDouble_givesTheBitsOfThe34DigitRoute_onRandomAndEdgeValues() {
        java.util.Random random = new java.util.Random(20261201L);
        java.util.List<BigDecimal[]> cases = new java.util.ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            // Pains (whole numbers 0-10), heights and angles (one or two decimals), and any short decimal.
            BigDecimal part;
            BigDecimal whole;
            switch (i % 4) {
                case 0 -> { part = BigDecimal.valueOf(random.nextInt(21) - 10); whole = BigDecimal.valueOf(1 + random.nextInt(10)); }
                case 1 -> { part = BigDecimal.valueOf(random.nextInt(8001) - 4000, 2); whole = BigDecimal.valueOf(1 + random.nextInt(600), 1); }
                case 2 -> { part = BigDecimal.valueOf(random.nextLong() % 1_000_000_000_000_000L, random.nextInt(14));
                            whole = BigDecimal.valueOf(1 + Math.abs(random.nextLong() % 1_000_000_000_000_000L), random.nextInt(14)); }
                default -> { part = BigDecimal.valueOf(random.nextDouble() * 100); whole = BigDecimal.valueOf(0.1 + random.nextDouble() * 50); }
            }
            cases.add(new BigDecimal[] {part, whole});
        }
        // Past the fast route's bounds: 16+ digits, negative scales, products beyond 2^53.
        cases.add(new BigDecimal[] {new BigDecimal("1234567890123456.7"), new BigDecimal("3")});
        cases.add(new BigDecimal[] {new BigDecimal("7E+3"), new BigDecimal("9")});
        cases.add(new BigDecimal[] {new BigDecimal("90071992547409.93"), new BigDecimal("0.7")});
        cases.add(new BigDecimal[] {new BigDecimal("1"), new BigDecimal("0.000000000007")});
        for (BigDecimal[] c : cases) {
            double expected = org.spineoutcomes.stats.ToDouble.of(ExactDecimals.percent(c[0], c[1]));
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(ExactDecimals.percentAsDouble(c[0], c[1])),
                    () -> c[0] + " of " + c[1]);
        }
    }
}
