package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's broker table sorts topics by what they carry (names as the app and Kafka make them). */
class BrokerTrafficTest {

    @Test
    void topicsAreSortedByWhatTheyCarry() {
        assertEquals(BrokerTraffic.CHANGELOGS, BrokerTraffic.kindOf("bench-spine-patient-events-changelog"));
        assertEquals(BrokerTraffic.CHANGELOGS, BrokerTraffic.kindOf("bench-spine-cells-cell-sums-changelog"));
        assertEquals(BrokerTraffic.HAND_ON, BrokerTraffic.kindOf("bench-spine-cell-deltas-handon"));
        assertEquals(BrokerTraffic.HAND_ON, BrokerTraffic.kindOf("spine-KSTREAM-x-repartition"));
        assertEquals(BrokerTraffic.OUTPUTS, BrokerTraffic.kindOf("spine.patient-outcomes.v1"));
        assertEquals(BrokerTraffic.OUTPUTS, BrokerTraffic.kindOf("spine.rejected.v1"));
        assertEquals(BrokerTraffic.OTHER, BrokerTraffic.kindOf("spine.followups.v1"), "an input topic: the bench wrote it before the phase");
        assertEquals(BrokerTraffic.INTERNAL, BrokerTraffic.kindOf("__transaction_state"));
        assertEquals(BrokerTraffic.INTERNAL, BrokerTraffic.kindOf("__consumer_offsets"));
    }

    @Test
    void whatWasWrittenIsTheDifferenceSummedByKind() {
        BrokerTraffic start = BrokerTraffic.of(Map.of("a-changelog", new long[] {10, 1_000, 2}));
        BrokerTraffic end = BrokerTraffic.of(Map.of(
                "a-changelog", new long[] {25, 2_500, 5},
                "b-changelog", new long[] {4, 100, 1},
                "spine.patient-outcomes.v1", new long[] {7, 700, 3}));
        Map<String, long[]> written = end.since(start);
        assertArrayEquals(new long[] {15 + 4, 1_500 + 100, 3 + 1}, written.get(BrokerTraffic.CHANGELOGS));
        assertArrayEquals(new long[] {7, 700, 3}, written.get(BrokerTraffic.OUTPUTS));
        assertArrayEquals(new long[] {0, 0, 0}, written.get(BrokerTraffic.INTERNAL));
        assertEquals("a-changelog 15, spine.patient-outcomes.v1 7", end.busiestTopics(start, 2), "most records first");
        assertEquals(BrokerTraffic.KINDS.keySet().stream().toList(), written.keySet().stream().toList(), "every kind, in report order");
    }

    @Test
    void requestRatesAreDifferencesPerSecondBusiestFirst() {
        Map<String, Long> start = Map.of("Produce", 1_000L, "Fetch", 400L, "EndTxn", 50L);
        Map<String, Long> end = Map.of("Produce", 2_830L, "Fetch", 1_000L, "EndTxn", 290L, "Metadata", 1L);
        // 1,830 / 10 s = 183.0; 600 / 10 = 60.0; 240 / 10 = 24.0; one Metadata request in 10 s is 0.1/s (kept),
        // a type that did not move is left out.
        assertEquals("Produce 183.0, Fetch 60.0, EndTxn 24.0, Metadata 0.1", BrokerTraffic.requestRates(start, end, 10.0));
        assertEquals("", BrokerTraffic.requestRates(end, end, 10.0));
    }
}
