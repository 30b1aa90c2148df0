package org.spineoutcomes.export;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.schema.AggregateMeasure;
import org.spineoutcomes.schema.AggregatePaired;
import org.spineoutcomes.schema.AggregateProportion;
import org.spineoutcomes.schema.AncovaAdjustedDifference;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.WelchMeanDifference;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.NewcombeRiskDifference;
import org.spineoutcomes.stats.Measures;

/**
 * The columns of the three export CSVs (docs/exports.md documents each one): flat tables for
 * analysts next to the NDJSON files, which stay the complete record.
 *
 * <ul>
 *   <li>{@code patient-windows.csv}: one row per patient and score window (BASELINE..M24): the
 *       patient's arms and strata, then every field of the window in schema order.</li>
 *   <li>{@code arm-aggregates.csv}: one row per cell with completeness and, for each main measure
 *       and flag, n, estimate and 95% interval.</li>
 *   <li>{@code arm-comparisons.csv}: one row per comparison with the differences and intervals of
 *       the same measures and flags, and the baseline-adjusted pain difference.</li>
 * </ul>
 */
public final class ResultCsv {
    private ResultCsv() {}

    /** Continuous measures given their own columns in the cell and comparison CSVs, in column order. */
    public static final List<String> MAIN_MEASURES = List.of(
            Measures.PAIN, Measures.PAIN_RELIEF, Measures.PERCENT_RELIEF, Measures.ODI, Measures.ODI_CHANGE,
            Measures.RMDQ, Measures.RMDQ_CHANGE, Measures.EQ5D, Measures.EQ5D_CHANGE,
            Measures.HEIGHT_CHANGE_ANTERIOR_MM, Measures.KYPHOSIS_CHANGE_DEG,
            Measures.HEIGHT_LOSS_PCT_MAX, Measures.RESTORATION_PCT_ANTERIOR, Measures.HEIGHT_GAIN_ANTERIOR_MM,
            Measures.KYPHOSIS_CORRECTION_DEG, Measures.DAYS_TO_MEDICATION);

    /** Flags given their own columns in the cell and comparison CSVs, in column order. */
    public static final List<String> MAIN_FLAGS = List.of(
            Measures.MCID_2PT, Measures.RELIEF_30PCT, Measures.RELIEF_50PCT, Measures.LOW_PAIN,
            Measures.ANY_COMPLICATION, Measures.CEMENT_LEAKAGE_PER_LEVEL, Measures.FURTHER_COLLAPSE,
            Measures.MEDICATION_STARTED);

    /** A named column and how its value is taken from a row's source. */
    record Column<T>(String name, Function<T, Object> value) {}

    // ------------------------------------------------------------------ patient-windows.csv

    /** One patient in one score window. */
    record PatientWindow(PatientOutcome patient, OutcomeWindow window) {}

    private static final List<Column<PatientWindow>> PATIENT_WINDOW_COLUMNS = patientWindowColumns();

    private static List<Column<PatientWindow>> patientWindowColumns() {
        List<Column<PatientWindow>> c = new ArrayList<>();
        c.add(new Column<>("patientId", r -> r.patient().getPatientId()));
        c.add(new Column<>("ittArm", r -> r.patient().getIttArm()));
        c.add(new Column<>("indexDate", r -> r.patient().getIndexDate()));
        c.add(new Column<>("crossover", r -> r.patient().getCrossover()));
        c.add(new Column<>("crossoverArm", r -> r.patient().getCrossoverArm()));
        c.add(new Column<>("crossoverDate", r -> r.patient().getCrossoverDate()));
        c.add(new Column<>("ageYears", r -> r.patient().getAgeYears()));
        c.add(new Column<>("sex", r -> r.patient().getSex()));
        c.add(new Column<>("fractureAgeDays", r -> r.patient().getFractureAgeDays()));
        c.add(new Column<>("baselinePain", r -> r.patient().getBaselinePain()));
        c.add(new Column<>("strata", r -> r.patient().getStrata().stream().map(Enum::name).collect(Collectors.joining(" "))));
        // Every field of the window, in schema order, under its schema name: a field added to the
        // schema becomes a column (and ExportDocsTest asks for its line in docs/exports.md).
        for (Schema.Field f : OutcomeWindow.getClassSchema().getFields()) {
            int pos = f.pos();
            c.add(new Column<>(f.name(), r -> r.window().get(pos)));
        }
        return List.copyOf(c);
    }

    public static List<String> patientWindowHeader() {
        return names(PATIENT_WINDOW_COLUMNS);
    }

    /** The patient's rows, one per score window (none for a patient without treatment), each ending in CRLF. */
    public static String patientWindowRows(PatientOutcome outcome) {
        StringBuilder b = new StringBuilder();
        for (OutcomeWindow w : outcome.getWindows()) {
            CsvWriter.appendRow(b, values(PATIENT_WINDOW_COLUMNS, new PatientWindow(outcome, w)));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ arm-aggregates.csv

    private static final List<Column<ArmAggregate>> AGGREGATE_COLUMNS = aggregateColumns();

    private static List<Column<ArmAggregate>> aggregateColumns() {
        List<Column<ArmAggregate>> c = new ArrayList<>();
        c.add(new Column<>("population", ArmAggregate::getPopulation));
        c.add(new Column<>("arm", ArmAggregate::getArm));
        c.add(new Column<>("window", ArmAggregate::getWindow));
        c.add(new Column<>("stratum", ArmAggregate::getStratum));
        c.add(new Column<>("patients", ArmAggregate::getPatients));
        c.add(new Column<>("dataCut", ArmAggregate::getDataCut));
        c.add(new Column<>("completenessDue", a -> a.getCompleteness() == null ? null : a.getCompleteness().getDue()));
        c.add(new Column<>("completenessAssessed", a -> a.getCompleteness() == null ? null : a.getCompleteness().getAssessed()));
        c.add(new Column<>("completeness", a -> a.getCompleteness() == null ? null : a.getCompleteness().getCompleteness()));
        c.add(new Column<>("completenessAbsentReason", a -> a.getCompleteness() == null ? null : a.getCompleteness().getAbsentReason()));
        for (String m : MAIN_MEASURES) {
            Function<ArmAggregate, AggregateMeasure> of = a -> a.getMeasures().stream()
                    .filter(x -> x.getMeasure().equals(m)).findFirst().orElse(null);
            c.add(new Column<>(m + "_n", a -> orNull(of.apply(a), AggregateMeasure::getN)));
            c.add(new Column<>(m + "_mean", a -> orNull(of.apply(a), AggregateMeasure::getMean)));
            c.add(new Column<>(m + "_sd", a -> orNull(of.apply(a), AggregateMeasure::getSd)));
            c.add(new Column<>(m + "_ciLower", a -> orNull(of.apply(a), AggregateMeasure::getCiLower)));
            c.add(new Column<>(m + "_ciUpper", a -> orNull(of.apply(a), AggregateMeasure::getCiUpper)));
        }
        for (String f : MAIN_FLAGS) {
            Function<ArmAggregate, AggregateProportion> of = a -> a.getProportions().stream()
                    .filter(x -> x.getFlag().equals(f)).findFirst().orElse(null);
            c.add(new Column<>(f + "_n", a -> orNull(of.apply(a), AggregateProportion::getN)));
            c.add(new Column<>(f + "_successes", a -> orNull(of.apply(a), AggregateProportion::getSuccesses)));
            c.add(new Column<>(f + "_proportion", a -> orNull(of.apply(a), AggregateProportion::getProportion)));
            c.add(new Column<>(f + "_wilsonLower", a -> orNull(of.apply(a), AggregateProportion::getWilsonLower)));
            c.add(new Column<>(f + "_wilsonUpper", a -> orNull(of.apply(a), AggregateProportion::getWilsonUpper)));
        }
        return List.copyOf(c);
    }

    public static List<String> aggregateHeader() {
        return names(AGGREGATE_COLUMNS);
    }

    public static String aggregateRow(ArmAggregate a) {
        return CsvWriter.row(values(AGGREGATE_COLUMNS, a));
    }

    /**
     * The cell's row under small-cell suppression ({@link Suppression}), with the two columns of
     * {@link #SUPPRESSION_COLUMNS} after the others: a cell with fewer patients than the threshold keeps
     * only its key columns and dataCut ({@code suppressed} true); in a cell that is shown, the columns of
     * each measure or flag over fewer values are empty and its name is listed in {@code suppressedStatistics}.
     */
    public static String aggregateRow(ArmAggregate a, Suppression s) {
        if (s.suppresses(a.getPatients())) return suppressedRow(AGGREGATE_COLUMNS, a, Suppression.AGGREGATE_KEY_FIELDS);
        List<String> hidden = new ArrayList<>();
        ArmAggregate shown = ArmAggregate.newBuilder(a)
                .setMeasures(shown(a.getMeasures(), AggregateMeasure::getMeasure, m -> List.of(m.getN()), s, hidden))
                .setProportions(shown(a.getProportions(), AggregateProportion::getFlag, p -> List.of(p.getN()), s, hidden))
                .setPaired(shown(a.getPaired(), AggregatePaired::getMeasure, p -> List.of(p.getN()), s, hidden))
                .build();
        return shownRow(AGGREGATE_COLUMNS, shown, hidden);
    }

    // ------------------------------------------------------------------ arm-comparisons.csv

    private static final List<Column<ArmComparison>> COMPARISON_COLUMNS = comparisonColumns();

    private static List<Column<ArmComparison>> comparisonColumns() {
        List<Column<ArmComparison>> c = new ArrayList<>();
        c.add(new Column<>("population", ArmComparison::getPopulation));
        c.add(new Column<>("comparison", ArmComparison::getComparison));
        c.add(new Column<>("firstArm", ArmComparison::getFirstArm));
        c.add(new Column<>("secondArm", ArmComparison::getSecondArm));
        c.add(new Column<>("window", ArmComparison::getWindow));
        c.add(new Column<>("stratum", ArmComparison::getStratum));
        c.add(new Column<>("firstPatients", ArmComparison::getFirstPatients));
        c.add(new Column<>("secondPatients", ArmComparison::getSecondPatients));
        for (String m : MAIN_MEASURES) {
            Function<ArmComparison, WelchMeanDifference> of = a -> a.getMeanDifferences().stream()
                    .filter(x -> x.getMeasure().equals(m)).findFirst().orElse(null);
            c.add(new Column<>(m + "_n1", a -> orNull(of.apply(a), WelchMeanDifference::getN1)));
            c.add(new Column<>(m + "_n2", a -> orNull(of.apply(a), WelchMeanDifference::getN2)));
            c.add(new Column<>(m + "_difference", a -> orNull(of.apply(a), WelchMeanDifference::getMeanDifference)));
            c.add(new Column<>(m + "_ciLower", a -> orNull(of.apply(a), WelchMeanDifference::getCiLower)));
            c.add(new Column<>(m + "_ciUpper", a -> orNull(of.apply(a), WelchMeanDifference::getCiUpper)));
        }
        String pair = Measures.PAIN_PAIR;
        Function<ArmComparison, AncovaAdjustedDifference> adjusted = a -> a.getAdjustedDifferences().stream()
                .filter(x -> x.getMeasure().equals(pair)).findFirst().orElse(null);
        c.add(new Column<>(pair + "_n1", a -> orNull(adjusted.apply(a), AncovaAdjustedDifference::getN1)));
        c.add(new Column<>(pair + "_n2", a -> orNull(adjusted.apply(a), AncovaAdjustedDifference::getN2)));
        c.add(new Column<>(pair + "_adjustedDifference", a -> orNull(adjusted.apply(a), AncovaAdjustedDifference::getAdjustedDifference)));
        c.add(new Column<>(pair + "_ciLower", a -> orNull(adjusted.apply(a), AncovaAdjustedDifference::getCiLower)));
        c.add(new Column<>(pair + "_ciUpper", a -> orNull(adjusted.apply(a), AncovaAdjustedDifference::getCiUpper)));
        for (String f : MAIN_FLAGS) {
            Function<ArmComparison, NewcombeRiskDifference> of = a -> a.getRiskDifferences().stream()
                    .filter(x -> x.getFlag().equals(f)).findFirst().orElse(null);
            c.add(new Column<>(f + "_n1", a -> orNull(of.apply(a), NewcombeRiskDifference::getN1)));
            c.add(new Column<>(f + "_n2", a -> orNull(of.apply(a), NewcombeRiskDifference::getN2)));
            c.add(new Column<>(f + "_difference", a -> orNull(of.apply(a), NewcombeRiskDifference::getDifference)));
            c.add(new Column<>(f + "_ciLower", a -> orNull(of.apply(a), NewcombeRiskDifference::getCiLower)));
            c.add(new Column<>(f + "_ciUpper", a -> orNull(of.apply(a), NewcombeRiskDifference::getCiUpper)));
        }
        return List.copyOf(c);
    }

    public static List<String> comparisonHeader() {
        return names(COMPARISON_COLUMNS);
    }

    public static String comparisonRow(ArmComparison c) {
        return CsvWriter.row(values(COMPARISON_COLUMNS, c));
    }

    /**
     * The comparison's row under small-cell suppression, as {@link #aggregateRow(ArmAggregate, Suppression)}:
     * a comparison with a cell under the threshold on either side keeps only its key columns; in one that
     * is shown, each difference with n1 or n2 under it is emptied and named in {@code suppressedStatistics}.
     */
    public static String comparisonRow(ArmComparison c, Suppression s) {
        if (s.suppresses(c.getFirstPatients()) || s.suppresses(c.getSecondPatients())) {
            return suppressedRow(COMPARISON_COLUMNS, c, Suppression.COMPARISON_KEY_FIELDS);
        }
        List<String> hidden = new ArrayList<>();
        ArmComparison shown = ArmComparison.newBuilder(c)
                .setMeanDifferences(shown(c.getMeanDifferences(), WelchMeanDifference::getMeasure, d -> List.of(d.getN1(), d.getN2()), s, hidden))
                .setAdjustedDifferences(shown(c.getAdjustedDifferences(), AncovaAdjustedDifference::getMeasure,
                        d -> List.of(d.getN1(), d.getN2()), s, hidden))
                .setRiskDifferences(shown(c.getRiskDifferences(), NewcombeRiskDifference::getFlag, d -> List.of(d.getN1(), d.getN2()), s, hidden))
                .build();
        return shownRow(COMPARISON_COLUMNS, shown, hidden);
    }

    // ------------------------------------------------------------------ small-cell suppression

    /** Appended to the aggregate and comparison tables when cells are suppressed (docs/exports.md). */
    public static final List<String> SUPPRESSION_COLUMNS = List.of("suppressed", "suppressedStatistics");

    /** The entries whose counts all reach the threshold; the names of the others go to {@code hidden}. */
    private static <E> List<E> shown(List<E> entries, Function<E, String> name, Function<E, List<Long>> counts, Suppression s,
                                     List<String> hidden) {
        List<E> kept = new ArrayList<>(entries.size());
        for (E e : entries) {
            if (counts.apply(e).stream().noneMatch(s::suppresses)) kept.add(e);
            else hidden.add(name.apply(e));
        }
        return kept;
    }

    /** The row of what is shown; {@code suppressedStatistics} names the hidden entries that have columns in this table. */
    private static <T> String shownRow(List<Column<T>> columns, T shown, List<String> hidden) {
        List<Object> v = values(columns, shown);
        List<String> emptied = hidden.stream().filter(h -> columns.stream().anyMatch(c -> c.name().startsWith(h + "_"))).toList();
        v.add(false);
        v.add(emptied.isEmpty() ? null : String.join(" ", emptied));
        return CsvWriter.row(v);
    }

    private static <T> String suppressedRow(List<Column<T>> columns, T record, List<String> keep) {
        List<Object> v = new ArrayList<>(columns.size() + 2);
        for (Column<T> c : columns) v.add(keep.contains(c.name()) ? c.value().apply(record) : null);
        v.add(true);
        v.add(null);
        return CsvWriter.row(v);
    }

    // ------------------------------------------------------------------

    private static <T> List<String> names(List<Column<T>> columns) {
        return columns.stream().map(Column::name).toList();
    }

    private static <T> List<Object> values(List<Column<T>> columns, T source) {
        List<Object> out = new ArrayList<>(columns.size());
        for (Column<T> c : columns) out.add(c.value().apply(source));
        return out;
    }

    private static <S> Object orNull(S source, Function<S, Object> value) {
        return source == null ? null : value.apply(source);
    }
}
