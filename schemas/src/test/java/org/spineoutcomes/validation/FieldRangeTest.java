package org.spineoutcomes.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link FieldRange#contains(double)} compares doubles; it must agree with comparing the written decimal (R35). */
class FieldRangeTest {

    private static final List<FieldRange> RANGES = List.of(
            FieldRange.PAIN_VAS, FieldRange.ODI, FieldRange.EQ5D, FieldRange.HEIGHT, FieldRange.ANGLE, FieldRange.CEMENT_VOLUME);

    /** The rule as written: the decimal the double stands for, compared exactly. */
    private static boolean byWrittenDecimal(FieldRange range, double value) {
        return Double.isFinite(value) && range.contains(BigDecimal.valueOf(value));
    }

    private static void assertAgrees(FieldRange range, double value) {
        assertEquals(byWrittenDecimal(range, value), range.contains(value), range.reason() + " at " + value);
    }

    @Test
    void boundsAndTheirNeighbouringDoubles() {
        for (FieldRange range : RANGES) {
            for (BigDecimal bound : range.max() == null ? List.of(range.min()) : List.of(range.min(), range.max())) {
                double b = bound.doubleValue();
                double below = Math.nextDown(b);
                double above = Math.nextUp(b);
                for (double v : new double[] {b, below, above, Math.nextDown(below), Math.nextUp(above)}) {
                    assertAgrees(range, v);
                }
                assertTrue(range.contains(b), range.reason() + " includes its bound " + b);
            }
        }
        // By hand: 100 mm is the top of the VAS, the next double above it (100.00000000000001) is not.
        assertTrue(FieldRange.PAIN_VAS.contains(100.0));
        assertFalse(FieldRange.PAIN_VAS.contains(Math.nextUp(100.0)));
        assertTrue(FieldRange.EQ5D.contains(-1.0));
        assertFalse(FieldRange.EQ5D.contains(Math.nextDown(-1.0)));
        assertTrue(FieldRange.HEIGHT.contains(-0.0), "negative zero is zero");
    }

    @Test
    void nonFiniteValuesAreOutsideEvenWithoutAnUpperBound() {
        for (FieldRange range : RANGES) {
            assertFalse(range.contains(Double.NaN));
            assertFalse(range.contains(Double.POSITIVE_INFINITY));
            assertFalse(range.contains(Double.NEGATIVE_INFINITY));
        }
        assertTrue(FieldRange.CEMENT_VOLUME.contains(Double.MAX_VALUE));
    }

    @Test
    void randomValuesNearAndFarFromTheBounds() {
        SplittableRandom random = new SplittableRandom(20261204L);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble(-200, 200);
                case 1 -> Math.round(random.nextDouble(-200, 200) * 1000) / 1000.0; // as typed, three decimals
                case 2 -> Double.longBitsToDouble(random.nextLong()); // any bit pattern, NaN and infinities included
                default -> random.nextInt(-40, 120) + random.nextDouble(-1e-12, 1e-12); // a hair from a whole number
            };
            for (FieldRange range : RANGES) {
                assertAgrees(range, v);
            }
        }
    }

    @Test
    void aBoundThatIsNotADoubleWrittenAsItselfIsRefused() {
        // 0.1 has no exact double, so a double comparison could disagree with the decimal one near it.
        IllegalArgumentException notADouble = assertThrows(IllegalArgumentException.class,
                () -> new FieldRange(ReasonCode.INVALID_VALUE, new BigDecimal("0.1"), null, ""));
        assertEquals("min bound 0.1 is not a double written as itself", notADouble.getMessage());
        // 2^60 is a double, but Java writes it as 1.15292150460684698E18 (Java 17; 1.152921504606847E18 from Java 19),
        // either way above 2^60 = 1152921504606846976: the value 2^60 would be inside by its double, outside as written.
        BigDecimal twoToThe60 = new BigDecimal(java.math.BigInteger.ONE.shiftLeft(60));
        assertEquals(0, new BigDecimal(twoToThe60.doubleValue()).compareTo(twoToThe60));
        assertEquals(1, BigDecimal.valueOf(twoToThe60.doubleValue()).compareTo(twoToThe60));
        IllegalArgumentException writtenOtherwise = assertThrows(IllegalArgumentException.class,
                () -> new FieldRange(ReasonCode.INVALID_VALUE, BigDecimal.ZERO, twoToThe60, ""));
        assertEquals("max bound 1152921504606846976 is not a double written as itself", writtenOtherwise.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FieldRange(ReasonCode.INVALID_VALUE, null, null, ""));
    }
}
