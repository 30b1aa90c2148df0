package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.CompletenessCounts;
import org.spineoutcomes.testing.SpineTestDriver;

/**
 * A store written by an earlier version holds completeness counts per cell and date; this version keeps
 * them per cell and page of 64 days. Started on such a store, the cell step rewrites each cell's entries
 * as pages when it first reads the cell, and every count is counted once: the aggregates and the store
 * end up as if the store had been written by this version from the start.
 */
class CompletenessUpgradeTest {
    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String VP_M1 = "ITT/VERTEBROPLASTY/M1/ALL";

    private static void patient1(SpineTestDriver d) {
        d.pipe(vertebroplasty("p1", "p1-vp", day(0)));
        d.pipe(nrs("p1", "p1-base", day(-2), 8));
        d.pipe(nrs("p1", "p1-m1", day(30), 3));
    }

    /** Treated 70 days after p1: its window end dates fall in other pages than p1's. */
    private static void patient2(SpineTestDriver d) {
        d.pipe(vertebroplasty("p2", "p2-vp", day(70)));
        d.pipe(nrs("p2", "p2-base", day(69), 6));
        d.pipe(nrs("p2", "p2-m1", day(101), 2));
    }

    @Test
    void perDateEntriesOfAnEarlierVersionBecomePages_andEveryPatientCountsOnce() {
        Map<String, ArmAggregate> expected;
        Map<String, long[]> expectedStore;
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            patient1(d);
            patient2(d);
            d.advanceWallClock(Duration.ofSeconds(6));
            expected = d.aggregates.table();
            expectedStore = contents(store(d, SpineTopology.COMPLETENESS_STORE));
        }
        // The data cut is the last occurred-at, day 101: after p1's M1 window (last day 45), before p2's (70 + 45 =
        // 115). So one patient is due in M1, and assessed (day 30).
        assertEquals(2L, expected.get(VP_M1).getPatients());
        assertEquals(1L, expected.get(VP_M1).getCompleteness().getDue());
        assertEquals(1L, expected.get(VP_M1).getCompleteness().getAssessed());
        assertTrue(expectedStore.keySet().stream().allMatch(CompletenessEntries::isPageKey), "this version writes pages only");

        // What an earlier version left after p1: the same cells, completeness per cell and date.
        Map<String, CellStatistics> cellsAfterP1;
        Map<String, long[]> perDate = new TreeMap<>();
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            patient1(d);
            d.advanceWallClock(Duration.ofSeconds(6));
            cellsAfterP1 = contents(store(d, SpineTopology.CELL_STORE));
            KeyValueStore<String, long[]> pages = store(d, SpineTopology.COMPLETENESS_STORE);
            contents(pages).forEach((key, page) -> {
                String cell = key.substring(0, key.lastIndexOf('|'));
                CompletenessCounts counts = new CompletenessCounts();
                CompletenessEntries.addTo(counts, key, page);
                counts.forEachDate((date, patients, assessed) -> perDate.put(cell + "|" + date, new long[] {patients, assessed}));
            });
        }
        LocalDate p1M1End = LocalDate.ofInstant(day(45), java.time.ZoneOffset.UTC);
        assertEquals("[1, 1]", java.util.Arrays.toString(perDate.get(VP_M1 + "|" + p1M1End)), "p1 in M1: due on day 45, assessed");

        // This version started on that store; p2 arrives.
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            KeyValueStore<String, CellStatistics> cells = store(d, SpineTopology.CELL_STORE);
            cellsAfterP1.forEach(cells::put);
            KeyValueStore<String, long[]> completeness = store(d, SpineTopology.COMPLETENESS_STORE);
            perDate.forEach(completeness::put);
            patient2(d);
            d.advanceWallClock(Duration.ofSeconds(6));
            Map<String, ArmAggregate> upgraded = d.aggregates.table();
            assertEquals(expected.keySet(), upgraded.keySet());
            expected.forEach((key, aggregate) -> assertEquals(aggregate.getCompleteness(), upgraded.get(key).getCompleteness(), key));
            expected.forEach((key, aggregate) -> assertEquals(aggregate.getPatients(), upgraded.get(key).getPatients(), key));
            Map<String, long[]> store = contents(completeness);
            assertEquals(expectedStore.keySet(), store.keySet(), "per-date entries deleted, pages written");
            expectedStore.forEach((key, value) -> assertEquals(java.util.Arrays.toString(value), java.util.Arrays.toString(store.get(key)), key));
        }
    }

    private static <V> KeyValueStore<String, V> store(SpineTestDriver d, String name) {
        return d.driver().getKeyValueStore(name);
    }

    private static <V> Map<String, V> contents(KeyValueStore<String, V> store) {
        Map<String, V> all = new TreeMap<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                all.put(kv.key, kv.value);
            }
        }
        return all;
    }
}
