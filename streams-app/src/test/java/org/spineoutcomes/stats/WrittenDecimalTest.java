package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class WrittenDecimalTest {

    /** Every double the shortcut can answer for: m / 10^k for |m| below the bound and k from 1 to 3. */
    @Test
    void everyShortDecimal_givesValueOfsValueAndScale() {
        long checked = 0;
        for (int k = 1; k <= WrittenDecimal.SHORTCUT_MAX_DECIMALS; k++) {
            double power = Math.pow(10, k);
            for (long m = -WrittenDecimal.SHORTCUT_BOUND + 1; m < WrittenDecimal.SHORTCUT_BOUND; m++) {
                double d = m / power;
                BigDecimal expected = BigDecimal.valueOf(d);
                BigDecimal actual = WrittenDecimal.of(d);
                // equals: the same unscaled value and the same scale
                if (!expected.equals(actual)) assertEquals(expected, actual, "m=" + m + " k=" + k);
                checked++;
            }
        }
        assertEquals(3 * (2 * WrittenDecimal.SHORTCUT_BOUND - 1), checked);
    }

    @Test
    void handWrittenCases() {
        assertEquals(new BigDecimal("23.7"), WrittenDecimal.of(23.7));
        assertEquals(new BigDecimal("23.0"), WrittenDecimal.of(23), "a whole number keeps one decimal, as Double.toString writes it");
        assertEquals(new BigDecimal("0.0"), WrittenDecimal.of(0.0));
        assertEquals(new BigDecimal("0.0"), WrittenDecimal.of(-0.0));
        assertEquals(new BigDecimal("-0.115"), WrittenDecimal.of(-0.115));
        assertEquals(new BigDecimal("0.001"), WrittenDecimal.of(0.001));
        // Outside the shortcut: the same as BigDecimal.valueOf
        assertEquals(new BigDecimal("1.0E-4"), WrittenDecimal.of(0.0001));
        assertEquals(new BigDecimal("0.1234"), WrittenDecimal.of(0.1234));
        assertEquals(new BigDecimal("1.0E7"), WrittenDecimal.of(1e7));
        assertEquals(new BigDecimal("123456.7"), WrittenDecimal.of(123456.7));
        assertEquals(new BigDecimal("0.30000000000000004"), WrittenDecimal.of(0.1 + 0.2));
        assertThrows(NumberFormatException.class, () -> WrittenDecimal.of(Double.NaN));
        assertThrows(NumberFormatException.class, () -> WrittenDecimal.of(Double.POSITIVE_INFINITY));
    }
}
