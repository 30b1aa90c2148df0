package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;

/** The bench's computation-alone baseline: what it times, and the ceiling it derives. */
class ComputationBaselineTest {

    @Test
    void ceilingIsTheCopysShareOfCopyPlusComputation() {
        // A topology that copied (20 us per event) and computed (60 us) would need 80 us: a quarter of the copy's rate.
        assertEquals(0.25, ComputationBaseline.ratioCeiling(20.0, 60.0), 1e-12);
        assertEquals(0.5, ComputationBaseline.ratioCeiling(15.0, 15.0), 1e-12);
        assertTrue(Double.isNaN(ComputationBaseline.ratioCeiling(-1e-3, 60.0)), "copy baseline skipped");
        assertTrue(Double.isNaN(ComputationBaseline.ratioCeiling(20.0, Double.NaN)), "computation not measured");
    }

    @Test
    void boundWithStateAddsTheStateIoBaselinesCostToTheComputation() {
        // Copy 15 us, state I/O (copy included) 45 us, computation 30 us: 75 us per event, a fifth of the copy's rate.
        assertEquals(0.2, ComputationBaseline.ratioBoundWithState(15.0, 45.0, 30.0), 1e-12);
        assertTrue(Double.isNaN(ComputationBaseline.ratioBoundWithState(15.0, Double.NaN, 30.0)), "state-I/O baseline not measured");
        assertTrue(Double.isNaN(ComputationBaseline.ratioBoundWithState(15.0, 45.0, 0.0)));
    }

    @Test
    void timesThePassesAfterTheWarmUpAndComputesEveryPatientsOutcome() {
        List<SpecificRecord> events = new ArrayList<>();
        new CohortSimulator(SimulationParameters.defaults(12, 11).withInvalidShare(0)).run(events::add);
        Set<String> patients = new TreeSet<>();
        events.forEach(e -> patients.add(EventFields.patientId(e)));

        // CPU clocks read twice only (before and after the timed passes): the process 0, then 3 ms later; the computing
        // threads 0, then 2 ms; the collector 0, then 1 ms.
        AtomicInteger reads = new AtomicInteger();
        ComputationBaseline.Measurement m = ComputationBaseline.measure(events, 12, () -> reads.getAndIncrement() == 0
                ? new ComputationBaseline.CpuReading(0L, 0L, 0L) : new ComputationBaseline.CpuReading(3_000_000L, 2_000_000L, 1_000_000L));

        assertEquals(2, reads.get(), "the warm-up passes are not timed");
        assertEquals(12, m.patients());
        assertEquals(3L * events.size(), m.events(), "three timed passes over the sample");
        assertEquals(patients.size(), m.outcomes(), "one outcome per patient with events");
        assertEquals(3_000.0 / (3 * events.size()), m.cpuMicrosPerEvent(), 1e-9);
        assertEquals(2_000.0 / (3 * events.size()), m.computingCpuMicrosPerEvent(), 1e-9);
        assertEquals(1_000.0 / (3 * events.size()), m.collectorCpuMicrosPerEvent(), 1e-9);
        assertTrue(m.seconds() > 0);
    }
}
