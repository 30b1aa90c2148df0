package org.spineoutcomes.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.FingerprintedAvro;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.CompletenessCounts;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.outcome.ResolvedEvents;
import org.spineoutcomes.topology.AdjustedDeltaBatch;
import org.spineoutcomes.topology.CellDeltaBatch;
import org.spineoutcomes.topology.PatientCellChanges;
import org.spineoutcomes.validation.EventValidator;
import org.spineoutcomes.validation.Violation;

/**
 * The three costs the stream pays, without a broker, so a regression shows up in seconds:
 * the outcome of one patient from its resolved events (per input event), one cell delta merged into
 * a cell's exact statistics (per changed cell), and one cell's publication (derived statistics of an
 * aggregate and of a comparison). Run: {@code ./spine jmh} (all) or {@code ./spine jmh Outcome}.
 * The publication benchmarks measure the arithmetic of every derived statistic (only Wilson bounds and
 * square roots of counts are remembered, as in the stream).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes"})
public class PipelineBenchmarks {

    private Cohort cohort;
    private int next;
    /** Contributions of the cohort's patients to one busy cell (ITT / VERTEBROPLASTY / M1 / ALL). */
    private List<Contribution> contributions;
    private CellStatistics busyCell;
    private CellKey busyKey;
    private CellStatistics kpCell;
    private Instant cut;
    /** One patient's contribution each, as the patient step nets a change (200 patients of the busy cell). */
    private List<CellStatistics> changes;
    /** For each of those 200 changes, the cells of the busy cell's population/window that get it alike (its strata). */
    private List<List<CellKey>> changeCells;
    /** Those 200 changes folded into one, as a hand-on carries them. */
    private CellStatistics folded;
    /** The busy cell's sums without its completeness counts, and those counts (as the cell step keeps them). */
    private CellStatistics busySums;
    private CompletenessCounts busyCompleteness;
    /**
     * Per patient with follow-ups: its outcome without one follow-up and with all, the change a follow-up arriving on
     * its own makes (a replay in recorded order computes a patient about once per event).
     */
    private List<PatientOutcome[]> followUpChanges;
    private List<byte[]> encodedOutcomes;
    /** Every input event of the cohort, all valid; {@link #validatePerEvent} checks them against {@link #cut}. */
    private List<SpecificRecord> events;
    private final EventValidator validator = new EventValidator();

    @Setup(Level.Trial)
    public void prepare() {
        cohort = new Cohort(2_000, 42);
        busyKey = Cohort.BUSY;
        contributions = new ArrayList<>();
        changeCells = new ArrayList<>();
        for (PatientOutcome o : cohort.result.outcomes().values()) {
            Map<CellKey, Contribution> cells = CellContributions.of(o);
            Contribution c = cells.get(busyKey);
            if (c == null) continue;
            contributions.add(c);
            List<CellKey> alike = new ArrayList<>();
            cells.forEach((k, v) -> {
                if (v == c && k.population().equals(busyKey.population()) && k.window().equals(busyKey.window())) alike.add(k);
            });
            alike.sort(null);
            changeCells.add(alike);
        }
        busyCell = cohort.cell(busyKey);
        kpCell = cohort.cell(Cohort.KYPHOPLASTY);
        cut = cohort.result.dataCut();
        if (contributions.isEmpty()) throw new IllegalStateException("cohort lacks contributions to the busy cell");
        changes = new ArrayList<>();
        folded = new CellStatistics();
        for (Contribution c : contributions.subList(0, Math.min(200, contributions.size()))) {
            CellStatistics change = new CellStatistics().add(c);
            changes.add(change);
            folded.merge(change);
        }
        busySums = new CellStatistics().mergeWithoutCompleteness(busyCell);
        busyCompleteness = busyCell.completeness().copy();
        encodedOutcomes = new ArrayList<>();
        for (String id : cohort.patientIds) encodedOutcomes.add(FingerprintedAvro.encode(cohort.result.outcomes().get(id)));
        events = new ArrayList<>();
        for (ResolvedEvents r : cohort.resolved) {
            events.addAll(r.procedures());
            events.addAll(r.imaging());
            events.addAll(r.followUps());
        }
        for (SpecificRecord e : events) { // the benchmark times the path of a valid event, as most are
            if (!validator.validate(e, cut).isEmpty()) throw new IllegalStateException("cohort event is invalid: " + e);
        }
        followUpChanges = new ArrayList<>();
        for (int i = 0; i < cohort.resolved.size(); i++) {
            ResolvedEvents all = cohort.resolved.get(i);
            if (all.followUps().isEmpty()) continue;
            ResolvedEvents fewer = ResolvedEvents.of(all.procedures(), all.imaging(), all.followUps().subList(0, all.followUps().size() - 1));
            String id = cohort.patientIds.get(i);
            followUpChanges.add(new PatientOutcome[] {OutcomeEngine.compute(id, fewer), OutcomeEngine.compute(id, all)});
        }
    }

    /** Per input event: its validation (every field's range, time and code; the ingest step's check). */
    @Benchmark
    public List<Violation> validatePerEvent() {
        return validator.validate(events.get(next++ % events.size()), cut);
    }

    /** Per input event: the patient's outcome from its resolved events (R1-R29). */
    @Benchmark
    public PatientOutcome outcomePerPatient() {
        int i = next++ % cohort.resolved.size();
        return OutcomeEngine.compute(cohort.patientIds.get(i), cohort.resolved.get(i));
    }

    /** Per patient read back from the store: its stored outcome decoded (single-object Avro). */
    @Benchmark
    public PatientOutcome outcomeDecode() {
        int i = next++ % cohort.resolved.size();
        return FingerprintedAvro.decode(PatientOutcome.class, encodedOutcomes.get(i));
    }

    /** Per computation: the new outcome encoded (its identity and its stored form). */
    @Benchmark
    public byte[] outcomeEncode() {
        int i = next++ % cohort.resolved.size();
        return FingerprintedAvro.encode(cohort.result.outcomes().get(cohort.patientIds.get(i)));
    }

    /** Per input event: the patient's cell contributions (about 100 cells). */
    @Benchmark
    public Map<CellKey, Contribution> contributionsPerPatient() {
        int i = next++ % cohort.resolved.size();
        PatientOutcome o = cohort.result.outcomes().get(cohort.patientIds.get(i));
        return CellContributions.of(o);
    }

    /**
     * Per outcome change: the patient's cell changes from its outcome before a follow-up to the one after (both
     * outcomes' contributions, the cells whose contribution changed, each distinct change netted once).
     */
    @Benchmark
    public List<PatientCellChanges.Change> cellChangesPerPatient() {
        PatientOutcome[] change = followUpChanges.get(next++ % followUpChanges.size());
        return PatientCellChanges.between(change[0], change[1]);
    }

    /**
     * Per patient entering the cells: the cell changes of its first outcome with a treatment (a replay computes each
     * patient once this way).
     */
    @Benchmark
    public List<PatientCellChanges.Change> cellChangesEntering() {
        PatientOutcome[] change = followUpChanges.get(next++ % followUpChanges.size());
        return PatientCellChanges.between(null, change[1]);
    }

    /**
     * The same change as the patient step computed it until session 17, every cell (about 100) compared on its own;
     * compare with {@link #cellChangesPerPatient} in the same run.
     */
    @Benchmark
    public List<PatientCellChanges.Change> cellChangesPerCellBefore() {
        PatientOutcome[] change = followUpChanges.get(next++ % followUpChanges.size());
        return PerCellChanges.between(change[0], change[1]);
    }

    /** Per outcome change: the same change's R36/R37 cell changes (standardisation patterns, survival times). */
    @Benchmark
    public Map<String, AdjustedDeltaBatch> adjustedChangesPerPatient() {
        PatientOutcome[] change = followUpChanges.get(next++ % followUpChanges.size());
        return AdjustedDeltaBatch.between(change[0], change[1]);
    }

    /** Per changed cell: one patient's old contribution out and new one in, exactly. */
    @Benchmark
    public CellStatistics cellDeltaMerge() {
        Contribution c = contributions.get(next++ % contributions.size());
        return busyCell.copy().subtract(c).add(c);
    }

    /**
     * Per flush of the patient step: 200 patients' changes of one cell folded into one (the patient step merges
     * each netted change into every stratum and population cell of its window). Per change: divide by 200.
     */
    @Benchmark
    public CellStatistics batchFold() {
        CellDeltaBatch batch = new CellDeltaBatch();
        for (CellStatistics change : changes) batch.add(busyKey, change);
        return batch.cells().get(busyKey); // what is handed on: sorted, canonical sums
    }

    /**
     * The patient step's fold as it was until session 11: each of the 200 changes merged into every cell of its
     * strata (about 5), one merge per cell. Compare with {@link #batchFoldPerCellSet} in the same run.
     */
    @Benchmark
    public Map<CellKey, CellStatistics> batchFoldPerCell() {
        CellDeltaBatch batch = new CellDeltaBatch();
        for (int i = 0; i < changes.size(); i++) {
            for (CellKey cell : changeCells.get(i)) batch.add(cell, changes.get(i));
        }
        return batch.cells();
    }

    /** The same fold per cell set: each change merged once, spread over its cells when the batch is read. */
    @Benchmark
    public Map<CellKey, CellStatistics> batchFoldPerCellSet() {
        CellDeltaBatch batch = new CellDeltaBatch();
        for (int i = 0; i < changes.size(); i++) batch.add(new CellDeltaBatch.CellSet(changeCells.get(i)), changes.get(i));
        return batch.cells();
    }

    /**
     * Per cell and hand-on in the cell step: a folded change of 200 patients merged into the busy cell's sums
     * (the cell step keeps completeness counts apart: {@link #completenessMerge}).
     */
    @Benchmark
    public CellStatistics cellMerge() {
        return busySums.copy().mergeWithoutCompleteness(folded);
    }

    /** The completeness counts of the same folded change (their window end dates) added to the busy cell's. */
    @Benchmark
    public CompletenessCounts completenessMerge() {
        busyCompleteness.merge(folded.completeness());
        return busyCompleteness;
    }

    /** Per publication of a cell: every mean, SD, t CI and Wilson interval of an aggregate. */
    @Benchmark
    public ArmAggregate cellPublication() {
        return AggregateMapper.toArmAggregate(busyKey, busyCell, cut);
    }

    /** Per publication of a comparison: Welch, ANCOVA and Newcombe for every measure and flag. */
    @Benchmark
    public ArmComparison comparisonPublication() {
        return ComparisonMapper.toArmComparison("ITT", Comparison.KP_vs_VP, "M1", "ALL", kpCell, busyCell);
    }
}
