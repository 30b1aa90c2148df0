package org.spineoutcomes.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.outcome.AdjustedContributions;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;

/**
 * The whole computation from scratch over a set of field-valid events, with the same classes the
 * stream uses: per-patient event logs (R9-R11), outcomes, contributions summed into cells,
 * aggregates and comparisons. The batch command prints it; the topology tests compare the
 * stream's final outputs with it.
 */
public final class BatchComputation {

    /** An event refused by a per-patient rule (only R9 losers), with where it came from. */
    public record Refused(PatientEventLog.Origin origin, SpecificRecord event, String reason, String message) {}

    public record Result(Map<String, PatientOutcome> outcomes,
                         Map<CellKey, CellStatistics> cells,
                         Map<String, ArmAggregate> aggregates,
                         Map<String, ArmComparison> comparisons,
                         Map<String, AdjustedComparison> adjustedComparisons,
                         Map<String, TimeToEvent> timeToEvent,
                         List<Refused> refused,
                         Instant dataCut,
                         long accepted) {}

    private final Map<String, PatientEventLog> logs = new TreeMap<>();
    private Instant maxOccurredAt;
    private long added;
    private long position;

    /**
     * Per-thread partial sums. A patient contributes the same values to each of its one-way strata
     * cells of a population/arm/window, so contributions are first summed per (population, arm,
     * window, set of strata) and only then merged into the strata cells: one exact addition per
     * patient and window instead of one per stratum. Exact sums make both routes identical.
     */
    private static final class Partial {
        final Map<String, PatientOutcome> outcomes = new TreeMap<>();
        final Map<StrataGroup, CellStatistics> groups = new java.util.HashMap<>();
        final Map<CellKey, PatternStatistics> patternCells = new java.util.HashMap<>();
        final Map<CellKey, SurvivalCounts> survivalCells = new java.util.HashMap<>();

        void add(Map.Entry<String, PatientEventLog> patient) {
            PatientOutcome outcome = OutcomeEngine.compute(patient.getKey(), patient.getValue().resolved());
            outcomes.put(patient.getKey(), outcome);
            AdjustedContributions.standardisation(outcome).forEach((k, c) ->
                    patternCells.computeIfAbsent(k, x -> new PatternStatistics()).add(c));
            AdjustedContributions.survival(outcome).forEach((k, t) ->
                    survivalCells.computeIfAbsent(k, x -> new SurvivalCounts()).add(t));
            Map<CellKey, Contribution> cells = CellContributions.of(outcome);
            Map<CellKey, List<String>> strataByCell = new TreeMap<>();
            Map<CellKey, Contribution> contributionByCell = new TreeMap<>();
            for (Map.Entry<CellKey, Contribution> c : cells.entrySet()) {
                CellKey k = c.getKey();
                // Group key: the cell without its stratum, plus the contribution (strata of one
                // group share it; a different one starts its own group).
                CellKey base = new CellKey(k.population(), k.arm(), k.window(), "");
                Contribution known = contributionByCell.get(base);
                if (known != null && !known.equals(c.getValue())) {
                    groups.computeIfAbsent(new StrataGroup(base, List.of(k.stratum())), g -> new CellStatistics()).add(c.getValue());
                    continue;
                }
                contributionByCell.put(base, c.getValue());
                strataByCell.computeIfAbsent(base, b -> new ArrayList<>()).add(k.stratum());
            }
            strataByCell.forEach((base, strata) ->
                    groups.computeIfAbsent(new StrataGroup(base, List.copyOf(strata)), g -> new CellStatistics())
                            .add(contributionByCell.get(base)));
        }

        void merge(Partial other) {
            outcomes.putAll(other.outcomes);
            other.groups.forEach((k, v) -> groups.merge(k, v, CellStatistics::merge));
            other.patternCells.forEach((k, v) -> patternCells.merge(k, v, PatternStatistics::merge));
            other.survivalCells.forEach((k, v) -> survivalCells.merge(k, v, SurvivalCounts::merge));
        }

        Map<CellKey, CellStatistics> cells() {
            Map<CellKey, CellStatistics> cells = new TreeMap<>();
            groups.forEach((g, stats) -> {
                for (String stratum : g.strata()) {
                    CellKey key = new CellKey(g.base().population(), g.base().arm(), g.base().window(), stratum);
                    cells.computeIfAbsent(key, k -> new CellStatistics()).merge(stats);
                }
            });
            return cells;
        }
    }

    private record StrataGroup(CellKey base, List<String> strata) {}

    /** Adds one field-valid event; its origin is its position among the events added. */
    public void add(SpecificRecord event) {
        add(event, new PatientEventLog.Origin("event", 0, position));
    }

    /**
     * Adds one field-valid event with where it came from (file and line). Which re-send wins (R9)
     * does not depend on the order of the calls; losers are known once every event is in.
     */
    public void add(SpecificRecord event, PatientEventLog.Origin origin) {
        position++;
        PatientEventLog log = logs.computeIfAbsent(EventFields.patientId(event), k -> new PatientEventLog());
        log.add(event, origin);
        added++;
        // R2: every field-valid version counts toward the default cut, also a re-send that loses
        // (the stream has seen it when it arrives), retractions excepted.
        if (!EventFields.isRetraction(event)) {
            Instant t = EventFields.occurredAt(event);
            if (maxOccurredAt == null || t.isAfter(maxOccurredAt)) maxOccurredAt = t;
        }
    }

    /** Every losing version (R9), each with its origin, in patient, event-id and arrival order. */
    private List<Refused> refused() {
        List<Refused> out = new ArrayList<>();
        logs.values().forEach(log -> {
            for (PatientEventLog.Version v : log.losers()) {
                out.add(new Refused(v.origin(), v.event(), "DUPLICATE_ID_CONFLICT", PatientEventLog.conflictMessage(v.id())));
            }
        });
        return out;
    }

    /** The default data cut (R2): the largest occurred-at among field-valid events, retractions excluded. */
    public Instant defaultDataCut() {
        return maxOccurredAt;
    }

    /**
     * The per-patient part of the result, without aggregates: what a subset of the patients
     * contributes. Patients are independent and cell sums exact, so parts over disjoint sets of
     * patients merge ({@link CellStatistics#merge}) to the result over all of them.
     *
     * @param outcomes  by patient id (natural order)
     * @param cells     exact sums, empty cells removed
     * @param patternCells  R36 standardisation cells (population/arm/window, stratum ALL), exact sums
     * @param survivalCells R37 Kaplan-Meier cells (population/arm/stratum, window OVERALL), per-day counts
     * @param refused   R9 losers in patient, event-id and arrival order
     * @param accepted  events added less the refused ones
     */
    public record Part(Map<String, PatientOutcome> outcomes,
                       Map<CellKey, CellStatistics> cells,
                       Map<CellKey, PatternStatistics> patternCells,
                       Map<CellKey, SurvivalCounts> survivalCells,
                       List<Refused> refused,
                       long accepted) {}

    /** Outcomes, cells and refused events of the patients added so far (no data cut needed). */
    public Part part() {
        // Patients are independent and the cell sums are exact, so the work splits across cores and
        // the partial sums merge to the same result in any order.
        Partial all = logs.entrySet().parallelStream()
                .filter(e -> e.getValue().size() > 0)
                .collect(Partial::new, Partial::add, Partial::merge);
        Map<CellKey, CellStatistics> cells = all.cells();
        cells.values().removeIf(CellStatistics::isEmpty);
        List<Refused> refused = refused();
        return new Part(all.outcomes, cells, new TreeMap<>(all.patternCells), new TreeMap<>(all.survivalCells), refused,
                added - refused.size());
    }

    /** Computes everything at the given data cut (null: the default cut). */
    public Result result(Instant asOf) {
        Instant cut = asOf != null ? asOf : maxOccurredAt;
        Part part = part();
        return new Result(part.outcomes(), part.cells(), aggregates(part.cells(), cut), comparisons(part.cells()),
                AdjustedComparisonMapper.all(part.patternCells()), TimeToEventMapper.all(part.survivalCells()),
                part.refused(), cut, part.accepted());
    }

    /** One aggregate per (non-empty) cell at the data cut, by cell key text. */
    public static Map<String, ArmAggregate> aggregates(Map<CellKey, CellStatistics> cells, Instant cut) {
        Map<String, ArmAggregate> aggregates = new TreeMap<>();
        cells.forEach((k, s) -> aggregates.put(k.asText(), AggregateMapper.toArmAggregate(k, s, cut)));
        return aggregates;
    }

    /** Every arm comparison whose two cells exist, by comparison key. */
    public static Map<String, ArmComparison> comparisons(Map<CellKey, CellStatistics> cells) {
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
        return comparisons;
    }
}
