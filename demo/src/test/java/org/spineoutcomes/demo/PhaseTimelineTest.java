package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency phase's machine timeline: cores per thread group over a window, and the collector's pauses in it. */
class PhaseTimelineTest {

    @Test
    void aWindowLineGivesCoresOfTheBusyGroupsAndThePauses() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        cpu.put(ThreadCpu.PATIENT_STAGE, 2_000_000_000L); // 2 s of CPU over 5 s: 0.40 core
        cpu.put(ThreadCpu.CELL_STAGE, 200_000_000L);      // 0.04 core: below 0.05, left out of the groups
        cpu.put(ThreadCpu.GC, 500_000_000L);              // 0.10 core
        String line = PhaseTimeline.line(0, 5_000, cpu,
                List.of(new PhaseTimeline.Pause(1_000, 120), new PhaseTimeline.Pause(3_000, 30)));
        // Total 2.7 s / 5 s = 0.54 cores; two pauses, the longest 120 ms, 150 ms together.
        assertEquals("    0.0-  5.0 s: 0.54 cores; patient stage 0.40; GC 0.10 | GC pauses 2, longest 120 ms, 150 ms in all\n", line);
    }

    @Test
    void aQuietWindowHasNoGroupsAndNoPauses() {
        String line = PhaseTimeline.line(5_000, 10_100, Map.of(ThreadCpu.BROKER, 51_000_000L), List.of());
        // 0.051 s over 5.1 s: 0.01 core, below the threshold.
        assertEquals("    5.0- 10.1 s: 0.01 cores | GC pauses 0, longest 0 ms, 0 ms in all\n", line);
    }
}
