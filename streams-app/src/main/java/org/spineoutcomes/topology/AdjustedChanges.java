package org.spineoutcomes.topology;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * The patient step's changes of the R36/R37 cells ({@link AdjustedDeltaBatch}) during one call of the
 * step (a record, or a flush that computes every waiting patient), folded per population and handed on
 * at the end of that call. No commit can fall inside a call, so nothing folded here is ever lost or
 * committed half: no store is needed. In folded mode the outcomes are computed at the flush, so a
 * flush hands on one batch per population however many patients changed.
 */
final class AdjustedChanges {
    private final Map<String, AdjustedDeltaBatch> byPopulation = new TreeMap<>();
    private long newestTimestamp = Long.MIN_VALUE;

    /** Folds in a patient's change from {@code before} (null: none) to {@code after}, seen with input timestamp {@code timestamp}. */
    void add(PatientOutcome before, PatientOutcome after, long timestamp) {
        AdjustedDeltaBatch.addBetween(before, after, population -> byPopulation.computeIfAbsent(population, p -> new AdjustedDeltaBatch()));
        newestTimestamp = Math.max(newestTimestamp, timestamp);
    }

    /**
     * Forwards one batch per population with a net change (key: population), stamped with the newest input
     * folded in; true when anything was folded since the last hand-on.
     */
    boolean handOn(ProcessorContext<String, PatientOutput> context) {
        if (byPopulation.isEmpty()) return false;
        byPopulation.forEach((population, batch) -> {
            if (!batch.isEmpty()) context.forward(new Record<>(population, new PatientOutput.AdjustedChanged(batch), newestTimestamp));
        });
        clear();
        return true;
    }

    /** Drops what was folded (a task starting again after a failure: its input is processed again). */
    void clear() {
        byPopulation.clear();
        newestTimestamp = Long.MIN_VALUE;
    }
}
