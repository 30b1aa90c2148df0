package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SurvivalCountsTest {

    @Test
    void countsPerDayByHand() {
        SurvivalCounts s = SurvivalCounts.of(List.of(new SurvivalTime(30, true), new SurvivalTime(10, false),
                new SurvivalTime(30, false), new SurvivalTime(10, false)));
        assertEquals("SurvivalCounts{10=DayCounts[events=0, censored=2], 30=DayCounts[events=1, censored=1]}", s.toString());
        assertEquals(4, s.patients());
        assertEquals(1, s.events());
        s.subtract(new SurvivalTime(30, true)).subtract(new SurvivalTime(30, false));
        // Day 30 is gone once its counts are back to zero.
        assertEquals("SurvivalCounts{10=DayCounts[events=0, censored=2]}", s.toString());
    }

    @Test
    void mergingSmallOrLargeChangesEqualsAddingOneByOne() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            List<SurvivalTime> base = times(random, random.nextInt(300));
            List<SurvivalTime> change = times(random, random.nextInt(round % 2 == 0 ? 10 : 400));
            List<SurvivalTime> removed = base.subList(0, base.size() / 3);

            SurvivalCounts expected = SurvivalCounts.of(base);
            change.forEach(expected::add);
            removed.forEach(expected::subtract);

            SurvivalCounts net = SurvivalCounts.of(change);
            removed.forEach(net::subtract);
            SurvivalCounts stored = SurvivalCounts.of(base);
            SurvivalCounts merged = stored.copy().merge(net);

            assertEquals(expected, merged);
            assertEquals(expected.hashCode(), merged.hashCode());
            assertArrayEquals(expected.toBytes(), merged.toBytes());
            assertEquals(expected, SurvivalCounts.fromBytes(merged.toBytes()));
            // The copy was merged, not the stored cell.
            assertEquals(SurvivalCounts.of(base), stored);
        }
    }

    @Test
    void subtractionBeforeItsAdditionNetsToEmpty() {
        SurvivalCounts s = new SurvivalCounts().subtract(new SurvivalTime(5, true));
        assertTrue(!s.hasNoNegativeCounts());
        s.merge(SurvivalCounts.of(List.of(new SurvivalTime(5, true))));
        assertTrue(s.isEmpty());
        assertEquals(new SurvivalCounts(), s);
        assertNotEquals(new SurvivalCounts(), SurvivalCounts.of(List.of(new SurvivalTime(5, true))));
    }

    @Test
    void mergingIntoItselfDoubles() {
        SurvivalCounts s = SurvivalCounts.of(List.of(new SurvivalTime(1, true), new SurvivalTime(2, false)));
        s.merge(s);
        assertEquals("SurvivalCounts{1=DayCounts[events=2, censored=0], 2=DayCounts[events=0, censored=2]}", s.toString());
    }

    private static List<SurvivalTime> times(Random random, int n) {
        List<SurvivalTime> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new SurvivalTime(random.nextInt(900), random.nextBoolean()));
        Collections.shuffle(out, random);
        return out;
    }
}
