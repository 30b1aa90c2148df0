package org.spineoutcomes.producer.simulate;

import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/** The order a simulated cohort's events go out in (lower case: the command-line options take these names). */
public enum CohortOrder {
    /** As the simulator emits them: patient by patient, each patient's events together, a few late. */
    patient,
    /** By recorded-at, patients interleaved, as a registry's history replays ({@link RecordedOrder}; spooled to a temporary file). */
    recorded;

    /** Runs {@code simulator} and hands its events to {@code sink} in this order; returns how many. */
    public long emit(CohortSimulator simulator, Consumer<SpecificRecord> sink) {
        if (this == patient) return simulator.run(sink);
        return RecordedOrder.emit(simulator, sink);
    }
}
