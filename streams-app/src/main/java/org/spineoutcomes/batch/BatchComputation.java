package org.spineoutcomes.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.ingest.EventFields;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;

/**
 * The whole computation from scratch over a set of field-valid events, with the same classes the
 * stream uses: per-patient event logs (R9-R11), outcomes, contributions summed into cells,
 * aggregates and comparisons. The batch command prints it; the topology tests compare the
 * stream's final outputs with it.
 */
public final class BatchComputation {

    /** An event refused by a per-patient rule (only R9 conflicts), with its position in the input. */
    public record Refused(long position, SpecificRecord event, String reason, String message) {}

    public record Result(Map<String, PatientOutcome> outcomes,
                         Map<CellKey, CellStatistics> cells,
                         Map<String, ArmAggregate> aggregates,
                         Map<String, ArmComparison> comparisons,
                         List<Refused> refused,
                         Instant dataCut,
                         long accepted) {}

    private final Map<String, PatientEventLog> logs = new TreeMap<>();
    private final List<Refused> refused = new ArrayList<>();
    private Instant maxOccurredAt;
    private long accepted;
    private long position;

    private static final class Partial {
        final Map<String, PatientOutcome> outcomes = new TreeMap<>();
        final Map<CellKey, CellStatistics> cells = new TreeMap<>();

        void add(Map.Entry<String, PatientEventLog> patient) {
            PatientOutcome outcome = OutcomeEngine.compute(patient.getKey(), patient.getValue().resolved());
            outcomes.put(patient.getKey(), outcome);
            for (Map.Entry<CellKey, Contribution> c : CellContributions.of(outcome).entrySet()) {
                cells.computeIfAbsent(c.getKey(), k -> new CellStatistics()).add(c.getValue());
            }
        }

        void merge(Partial other) {
            outcomes.putAll(other.outcomes);
            other.cells.forEach((k, v) -> cells.merge(k, v, CellStatistics::merge));
        }
    }

    /** Adds one field-valid event, in arrival order (arrival order matters only for R9 conflicts). */
    public void add(SpecificRecord event) {
        long pos = position++;
        PatientEventLog log = logs.computeIfAbsent(EventFields.patientId(event), k -> new PatientEventLog());
        PatientEventLog.AddResult r = log.add(event);
        if (r == PatientEventLog.AddResult.DUPLICATE_ID_CONFLICT) {
            refused.add(new Refused(pos, event, "DUPLICATE_ID_CONFLICT",
                    "event id " + EventFields.eventId(event) + " was seen before with different content"));
            return;
        }
        accepted++;
        if (!EventFields.isRetraction(event)) {
            Instant t = EventFields.occurredAt(event);
            if (maxOccurredAt == null || t.isAfter(maxOccurredAt)) maxOccurredAt = t;
        }
    }

    /** The default data cut (R2): the largest occurred-at among accepted events, retractions excluded. */
    public Instant defaultDataCut() {
        return maxOccurredAt;
    }

    /** Computes everything at the given data cut (null: the default cut). */
    public Result result(Instant asOf) {
        Instant cut = asOf != null ? asOf : maxOccurredAt;
        // Patients are independent and the cell sums are exact, so the work splits across cores and
        // the partial sums merge to the same result in any order.
        Partial all = logs.entrySet().parallelStream()
                .filter(e -> e.getValue().size() > 0)
                .collect(Partial::new, Partial::add, Partial::merge);
        Map<String, PatientOutcome> outcomes = all.outcomes;
        Map<CellKey, CellStatistics> cells = all.cells;
        cells.values().removeIf(CellStatistics::isEmpty);

        Map<String, ArmAggregate> aggregates = new TreeMap<>();
        cells.forEach((k, s) -> aggregates.put(k.asText(), AggregateMapper.toArmAggregate(k, s, cut)));

        Map<String, ArmComparison> comparisons = new TreeMap<>();
        for (CellKey k : cells.keySet()) {
            for (Comparison c : Comparison.values()) {
                if (!c.first().equals(k.arm())) continue;
                CellStatistics first = cells.get(k);
                CellStatistics second = cells.get(ComparisonMapper.secondCell(k.population(), c, k.window(), k.stratum()));
                if (ComparisonMapper.exists(first, second)) {
                    comparisons.put(ComparisonMapper.key(k.population(), c, k.window(), k.stratum()),
                            ComparisonMapper.toArmComparison(k.population(), c, k.window(), k.stratum(), first, second));
                }
            }
        }
        return new Result(outcomes, cells, aggregates, comparisons, List.copyOf(refused), cut, accepted);
    }
}
