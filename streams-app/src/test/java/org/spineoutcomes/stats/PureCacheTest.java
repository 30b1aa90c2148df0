package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounded map of a pure function's results (Wilson bounds, square roots of counts). */
class PureCacheTest {

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

    @Test
    void aComputationThatThrowsIsNotRemembered() {
        PureCache<Integer, Integer> cache = new PureCache<>(10);
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            assertThrows(IllegalStateException.class, () -> cache.get(7, v -> {
                calls.incrementAndGet();
                throw new IllegalStateException("no value for " + v);
            }));
        }
        assertEquals(2, calls.get(), "asked twice, computed twice");
        assertEquals(0, cache.size());
    }

    @Test
    void wilsonBoundsAreTheSameWhenAskedAgain() {
        // 3 of 10, z = 1.96: centre (3 + z^2/2) / (10 + z^2) = 4.9208 / 13.8415 = 0.35551, half-width
        // z sqrt(3 * 7 / 10 + z^2 / 4) / 13.8415 = 1.96 * 1.74940 / 13.8415 = 0.24772: 0.10779 .. 0.60323 (by hand).
        ProportionEstimate first = Inference.wilson(new Proportion(10, 3));
        ProportionEstimate again = Inference.wilson(new Proportion(10, 3));
        assertEquals(0.1078, first.wilsonLower().getAsDouble(), 5e-5);
        assertEquals(0.6032, first.wilsonUpper().getAsDouble(), 5e-5);
        assertEquals(first, again);
    }
}
