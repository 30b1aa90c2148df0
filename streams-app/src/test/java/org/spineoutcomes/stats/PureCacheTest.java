package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Derived statistics remembered by their exact inputs: asked again with equal sums, nothing is recomputed. */
class PureCacheTest {

    @Test
    void equalSumsGiveTheRememberedEstimateAndOtherSumsTheirOwn() {
        // Two separately built, equal sums of {1, 2, 3}: mean 2, SD 1 (hand: deviations -1, 0, 1, sum of squares 2 / 2).
        Moments a = Moments.ofValues(1, 2, 3);
        Moments b = Moments.ofValues(3, 1, 2);
        assertNotSame(a, b);
        MeanEstimate first = Inference.mean(a);
        assertSame(first, Inference.mean(b), "equal sums: the remembered estimate");
        assertEquals(2.0, first.mean().getAsDouble());
        assertEquals(1.0, first.sd().getAsDouble());
        // {1, 2, 4}: mean 7/3, SD sqrt(((-4/3)^2 + (-1/3)^2 + (5/3)^2) / 2) = sqrt(7/3).
        MeanEstimate other = Inference.mean(Moments.ofValues(1, 2, 4));
        assertEquals(7.0 / 3, other.mean().getAsDouble(), 1e-15);
        assertEquals(Math.sqrt(7.0 / 3), other.sd().getAsDouble(), 1e-15);
    }

    @Test
    void twoArmStatisticsAreRememberedPerOrderedPair() {
        Moments x = Moments.ofValues(5, 7, 9);
        Moments y = Moments.ofValues(1, 2, 3);
        WelchEstimate xy = Inference.welch(x, y);
        assertSame(xy, Inference.welch(Moments.ofValues(9, 7, 5), Moments.ofValues(2, 3, 1)));
        // Means 7 and 2: x - y = 5, y - x = -5 (the order is part of the key).
        assertEquals(5.0, xy.meanDifference().getAsDouble());
        assertEquals(-5.0, Inference.welch(y, x).meanDifference().getAsDouble());
        // Proportions 3/10 and 1/10: risk difference 0.2.
        RiskDifferenceEstimate rd = Inference.newcombe(new Proportion(10, 3), new Proportion(10, 1));
        assertSame(rd, Inference.newcombe(new Proportion(10, 3), new Proportion(10, 1)));
        assertEquals(0.2, rd.difference().getAsDouble(), 1e-15);
    }

    @Test
    void aFailedComputationIsNotRemembered() {
        // n Sxx - Sx^2 = 2 * 1 - 3^2 < 0: sums no set of values can have.
        Moments impossible = Moments.of(2, BigDecimal.valueOf(3), BigDecimal.ONE);
        assertThrows(IllegalStateException.class, () -> Inference.mean(impossible));
        assertThrows(IllegalStateException.class, () -> Inference.mean(impossible));
    }

    @Test
    void computesOncePerKeyAndStaysWithinItsLimit() {
        PureCache<Integer, Integer> cache = new PureCache<>(3);
        AtomicInteger computed = new AtomicInteger();
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < 3; k++) assertEquals(k * k, cache.get(k, v -> { computed.incrementAndGet(); return v * v; }));
        }
        assertEquals(3, computed.get(), "three keys, each computed once");
        assertEquals(3, cache.hits());
        assertEquals(3, cache.misses());
        cache.get(4, v -> v * v);
        assertTrue(cache.size() <= 3, "cleared when full: " + cache.size());
    }
}
