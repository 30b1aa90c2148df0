package org.spineoutcomes.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.outcome.ResolvedEvents;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;

/** A simulated cohort prepared once per benchmark: per-patient resolved events and the batch result. */
final class Cohort {
    final List<String> patientIds = new ArrayList<>();
    final List<ResolvedEvents> resolved = new ArrayList<>();
    final BatchComputation.Result result;

    Cohort(int patients, long seed) {
        Map<String, PatientEventLog> logs = new TreeMap<>();
        BatchComputation batch = new BatchComputation();
        new CohortSimulator(SimulationParameters.defaults(patients, seed).withInvalidShare(0)).run(e -> {
            SpecificRecord copy = (SpecificRecord) SpecificData.getForSchema(e.getSchema()).deepCopy(e.getSchema(), e);
            logs.computeIfAbsent(EventFields.patientId(copy), k -> new PatientEventLog()).add(copy);
            batch.add(copy);
        });
        logs.forEach((id, log) -> {
            patientIds.add(id);
            resolved.add(log.resolved());
        });
        result = batch.result(Instant.parse("2030-01-01T00:00:00Z"));
    }

    /** The busy cell the publication benchmarks use (ITT / VERTEBROPLASTY / M1 / ALL) and its comparison partner. */
    static final CellKey BUSY = new CellKey("ITT", "VERTEBROPLASTY", "M1", "ALL");
    static final CellKey KYPHOPLASTY = new CellKey("ITT", "KYPHOPLASTY", "M1", "ALL");

    /** A cell of the cohort's batch result; the benchmarks need it to exist. */
    CellStatistics cell(CellKey key) {
        CellStatistics c = result.cells().get(key);
        if (c == null) throw new IllegalStateException("cohort lacks the benchmark cell " + key.asText());
        return c;
    }
}
