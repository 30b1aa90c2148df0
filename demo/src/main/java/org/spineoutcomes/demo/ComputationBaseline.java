package org.spineoutcomes.demo;

import java.util.List;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.batch.BatchComputation;

/**
 * The bench's third baseline: the clinical computation alone, with no Kafka, no state store and no
 * exactly-once. The batch engine ({@link BatchComputation}, the same classes the stream uses) runs over a
 * sample of the throughput cohort held in memory: every event into its patient's log (R9-R11), each
 * patient's outcome once, its contributions summed into the cells, then every aggregate and comparison
 * once. A topology cannot do less clinical work per event than this (it computes each outcome at least
 * once and publishes at least once), and it must also read its input and write exactly-once as the copy
 * baseline does, so on a machine whose cores both phases saturate, copy CPU / (copy CPU + this CPU)
 * estimates the highest ratio to the copy baseline that any topology computing these outcomes can reach.
 */
final class ComputationBaseline {

    /** Patients in the sample: per-event costs are steady by then, and 20,000 patients' events fit beside the broker. */
    static final int SAMPLE_PATIENTS = 20_000;
    /**
     * Passes before the timed ones run until this many events went through. Measured on this machine with 20,000
     * patients (221,000 events a pass), process CPU per event fell over the first four passes (102, 64, 34, 27 us)
     * and stayed at 22-29 us from the fifth on: the JIT compiler and the heap's sizing need about a million events.
     */
    static final long WARM_UP_EVENTS = 1_000_000;
    static final int MAX_WARM_UP_PASSES = 8;
    /** Timed passes after the warm-up (single passes varied from 22 to 29 us per event). */
    static final int TIMED_PASSES = 3;

    /**
     * The CPU clocks at one moment (ns): the process's; the threads that compute (the calling thread and the common
     * fork-join pool's workers: the batch engine computes its patients with a parallel stream); the garbage collector's.
     */
    record CpuReading(long process, long computing, long collector) {}

    /**
     * The timed passes: events in (all passes), outcomes out (one pass), wall seconds, and the CPU (ns) of the process,
     * of the computing threads and of the garbage collector's threads over them.
     */
    record Measurement(int patients, long events, int outcomes, double seconds, long cpuNanos, long computingCpuNanos,
                       long collectorCpuNanos) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double cpuMicrosPerEvent() {
            return cpuNanos / 1e3 / events;
        }

        double computingCpuMicrosPerEvent() {
            return computingCpuNanos / 1e3 / events;
        }

        double collectorCpuMicrosPerEvent() {
            return collectorCpuNanos / 1e3 / events;
        }
    }

    private ComputationBaseline() {}

    /**
     * Computes over {@code events} until warm, then {@link #TIMED_PASSES} more times, timed together.
     *
     * @param clock the CPU clocks, read once before and once after the timed passes
     */
    static Measurement measure(List<SpecificRecord> events, int patients, Supplier<CpuReading> clock) {
        long warmed = 0;
        for (int pass = 0; pass < MAX_WARM_UP_PASSES && warmed < WARM_UP_EVENTS; pass++) {
            computeAll(events);
            warmed += events.size();
        }
        CpuReading before = clock.get();
        long start = System.nanoTime();
        BatchComputation.Result result = null;
        for (int pass = 0; pass < TIMED_PASSES; pass++) result = computeAll(events);
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuReading after = clock.get();
        return new Measurement(patients, (long) events.size() * TIMED_PASSES, result.outcomes().size(), seconds,
                after.process() - before.process(), after.computing() - before.computing(), after.collector() - before.collector());
    }

    static BatchComputation.Result computeAll(List<SpecificRecord> events) {
        BatchComputation computation = new BatchComputation();
        for (SpecificRecord e : events) computation.add(e);
        return computation.result(null);
    }

    /**
     * copy / (copy + computation), both in CPU per event: the ratio to the copy baseline a topology would reach if it
     * did the copy's work and the computation and nothing else. NaN when either is unknown.
     */
    static double ratioCeiling(double copyCpuMicrosPerEvent, double computationCpuMicrosPerEvent) {
        // The bound with state for a topology whose state costs nothing beyond the copy's work.
        return ratioBoundWithState(copyCpuMicrosPerEvent, copyCpuMicrosPerEvent, computationCpuMicrosPerEvent);
    }

    /**
     * copy / (state I/O + computation), all in CPU per event: the ratio to the copy baseline of a topology that made
     * the state-I/O baseline's writes (which include the copy's work) and did the computation, and nothing else.
     * A topology keeping per-patient state exactly-once makes writes of that kind (fewer if it folds several inputs
     * of a patient into one), so this estimates its reach more closely than {@link #ratioCeiling}. NaN when any is
     * unknown.
     */
    static double ratioBoundWithState(double copyCpuMicrosPerEvent, double stateIoCpuMicrosPerEvent, double computationCpuMicrosPerEvent) {
        if (!(copyCpuMicrosPerEvent > 0) || !(stateIoCpuMicrosPerEvent > 0) || !(computationCpuMicrosPerEvent > 0)) return Double.NaN;
        return copyCpuMicrosPerEvent / (stateIoCpuMicrosPerEvent + computationCpuMicrosPerEvent);
    }
}
