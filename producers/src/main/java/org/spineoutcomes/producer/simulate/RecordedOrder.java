package org.spineoutcomes.producer.simulate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;

/**
 * Puts a simulated cohort into the order a registry's history would have it: by when the events were recorded,
 * patients interleaved. {@link CohortSimulator#run} emits patient by patient (each patient's events together,
 * a few of them late), which is the kindest order for a stream that folds a patient's events: a replay of a
 * real topic has a patient's follow-ups months apart, with thousands of other patients' events in between.
 *
 * <p>Each patient keeps the order the simulator gave its events (shuffled for some patients, on purpose): an
 * event's place is the latest recorded-at of its patient's events up to and including it, so an event sent
 * out of order travels with the one after it instead of being put back in order. Ties keep the simulator's order.
 * Holds the whole cohort in memory (about a kilobyte per event).
 */
public final class RecordedOrder {

    private RecordedOrder() {}

    /** The events reordered as described; {@code events} is not changed. */
    public static List<SpecificRecord> of(List<SpecificRecord> events) {
        int n = events.size();
        long[] place = new long[n];
        Map<String, Long> latestByPatient = new HashMap<>();
        for (int i = 0; i < n; i++) {
            SpecificRecord e = events.get(i);
            String patient = EventFields.patientId(e);
            long recorded = EventFields.recordedAt(e).toEpochMilli();
            long latest = Math.max(recorded, latestByPatient.getOrDefault(patient, Long.MIN_VALUE));
            latestByPatient.put(patient, latest);
            place[i] = latest;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // A stable sort: equal places keep the simulator's order.
        Arrays.sort(order, (a, b) -> Long.compare(place[a], place[b]));
        List<SpecificRecord> out = new ArrayList<>(n);
        for (Integer i : order) out.add(events.get(i));
        return out;
    }
}
