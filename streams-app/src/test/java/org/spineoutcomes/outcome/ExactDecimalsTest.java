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
}
