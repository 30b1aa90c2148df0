package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's latency by 5 s of the phase: nearest-rank percentiles per window, computed by hand below. */
class BenchLatencyTimelineTest {

    @Test
    void latenciesAreGroupedByFiveSecondsOfReadTime() {
        List<long[]> timeline = List.of(
                new long[] {1_000, 100, 1}, // read 1 s into the phase, outcome after 100 ms
                new long[] {2_000, 300, 1},
                new long[] {4_999, 200, 1},
                new long[] {3_000, 900, 0}, // an aggregate
                new long[] {6_000, 50, 1}); // the second window
        String table = StreamBenchmark.timelineTable(timeline);
        // 0-5 s: outcomes 100, 200, 300: p50 = the 2nd of 3 (ceil(1.5)), p99 = the 3rd; one aggregate of 900 ms.
        // 5-10 s: one outcome of 50 ms, no aggregate (-1).
        assertEquals(String.join("\n",
                "    0-  5 s: outcome   200 /   300 /   300 ms (    3); aggregate   900 /   900 ms (   1)",
                "    5- 10 s: outcome    50 /    50 /    50 ms (    1); aggregate    -1 /    -1 ms (   0)", ""), table);
    }

    @Test
    void nearestRankPercentiles() {
        List<Long> sorted = List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
        assertEquals(50L, StreamBenchmark.pct(sorted, 0.50)); // rank ceil(5) = 5
        assertEquals(100L, StreamBenchmark.pct(sorted, 0.99)); // rank ceil(9.9) = 10
        assertEquals(-1L, StreamBenchmark.pct(List.of(), 0.5));
    }

    @Test
    void warmUpInputsShowInTheTableButNotInThePercentiles() {
        List<Long> outcome = new ArrayList<>();
        List<Long> aggregate = new ArrayList<>();
        List<long[]> timeline = new ArrayList<>();
        long start = 100_000; // the phase starts; the measured part 10 s later
        long measuredFrom = start + 10_000;
        StreamBenchmark.countLatency(true, start - 1, start + 500, start, measuredFrom, outcome, aggregate, timeline); // before the phase
        StreamBenchmark.countLatency(true, start + 2_000, start + 2_400, start, measuredFrom, outcome, aggregate, timeline); // warm-up
        StreamBenchmark.countLatency(false, start + 9_999, start + 11_000, start, measuredFrom, outcome, aggregate, timeline); // warm-up, read after
        StreamBenchmark.countLatency(true, start + 10_000, start + 10_150, start, measuredFrom, outcome, aggregate, timeline); // measured
        StreamBenchmark.countLatency(false, start + 12_000, start + 13_300, start, measuredFrom, outcome, aggregate, timeline); // measured
        assertEquals(List.of(150L), outcome);
        assertEquals(List.of(1_300L), aggregate);
        assertEquals(4, timeline.size(), "all but the input from before the phase");
        assertEquals(String.join("\n",
                "    0-  5 s: outcome   400 /   400 /   400 ms (    1); aggregate    -1 /    -1 ms (   0)",
                "   10- 15 s: outcome   150 /   150 /   150 ms (    1); aggregate  1300 /  1300 ms (   2)", ""),
                StreamBenchmark.timelineTable(timeline));
    }
}
