package org.spineoutcomes.aggregate;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.spineoutcomes.schema.AggregateCompleteness;
import org.spineoutcomes.schema.AggregateMeasure;
import org.spineoutcomes.schema.AggregatePaired;
import org.spineoutcomes.schema.AggregateProportion;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.StatisticAbsentReason;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.AbsentReason;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.CompletenessCounts;
import org.spineoutcomes.stats.CompletenessEstimate;
import org.spineoutcomes.stats.Inference;
import org.spineoutcomes.stats.MeanEstimate;
import org.spineoutcomes.stats.Moments;
import org.spineoutcomes.stats.PairedMoments;
import org.spineoutcomes.stats.Proportion;
import org.spineoutcomes.stats.ProportionEstimate;
import org.spineoutcomes.stats.ToDouble;

/** Maps a cell's exact statistics to the published {@link ArmAggregate} (spine.arm-aggregates.v1). */
public final class AggregateMapper {
    private AggregateMapper() {}

    /**
     * @param dataCut the data cut for completeness (R2, R33); null when none is known yet, then
     *                completeness is absent with NO_DATA_CUT
     * @throws IllegalArgumentException for an empty cell (publish a tombstone instead, R30) or a key
     *                                  value outside the schema's enums
     * @throws IllegalStateException    for a state with negative counts (a subtraction without its addition)
     */
    public static ArmAggregate toArmAggregate(CellKey key, CellStatistics stats, Instant dataCut) {
        return toArmAggregate(key, stats, stats.completeness(), dataCut);
    }

    /**
     * The same with the completeness counts given apart from the sums (the stream keeps them in their own
     * store), so publishing does not copy thousands of per-date counts into the cell first.
     */
    public static ArmAggregate toArmAggregate(CellKey key, CellStatistics stats, CompletenessCounts completeness, Instant dataCut) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(stats, "stats");
        requirePublishable(stats, key.asText());
        if (!completeness.isConsistent()) {
            throw new IllegalStateException("cell " + key.asText() + " has negative completeness counts (a subtraction without its addition)");
        }
        List<AggregateMeasure> measures = new ArrayList<>();
        for (Map.Entry<String, Moments> e : stats.moments().entrySet()) {
            measures.add(measure(e.getKey(), e.getValue()));
        }
        List<AggregateProportion> proportions = new ArrayList<>();
        for (Map.Entry<String, Proportion> e : stats.proportions().entrySet()) {
            proportions.add(proportion(e.getKey(), e.getValue()));
        }
        List<AggregatePaired> paired = new ArrayList<>();
        for (Map.Entry<String, PairedMoments> e : stats.paired().entrySet()) {
            paired.add(paired(e.getKey(), e.getValue()));
        }
        return ArmAggregate.newBuilder()
                .setPopulation(SchemaEnums.parse(Population.class, "population", key.population()))
                .setArm(SchemaEnums.parse(TreatmentArm.class, "arm", key.arm()))
                .setWindow(SchemaEnums.parse(Window.class, "window", key.window()))
                .setStratum(SchemaEnums.parse(Stratum.class, "stratum", key.stratum()))
                .setPatients(stats.patients())
                .setDataCut(dataCut)
                .setMeasures(measures)
                .setProportions(proportions)
                .setPaired(paired)
                .setCompleteness(completeness.isEmpty() ? null : completeness(completeness, dataCut))
                .build();
    }

    /**
     * A published aggregate judged at another data cut (R2, R33): {@code dataCut} and
     * {@code completeness} are replaced, computed from {@code completenessCounts} (the cell's
     * completeness counts by window end date, e.g. summed from its patients' outcomes) exactly as
     * {@link #toArmAggregate} computes them; every other field is kept. Only completeness depends on
     * the cut, so this equals {@code toArmAggregate(key, stats, dataCut)} when the counts are the cell's.
     */
    public static ArmAggregate atDataCut(ArmAggregate published, CellStatistics completenessCounts, Instant dataCut) {
        Objects.requireNonNull(published, "published");
        return ArmAggregate.newBuilder(published)
                .setDataCut(dataCut)
                .setCompleteness(completenessCounts.hasCompleteness() ? completeness(completenessCounts.completeness(), dataCut) : null)
                .build();
    }

    static void requirePublishable(CellStatistics stats, String cell) {
        if (stats.isEmpty() || stats.patients() < 1) {
            throw new IllegalArgumentException("cell " + cell + " has no patients (" + stats.patients()
                    + "): it is deleted, not published (R30)");
        }
        if (!stats.hasNoNegativeCounts()) {
            throw new IllegalStateException("cell " + cell + " has negative counts (a subtraction without its addition): " + stats);
        }
    }

    private static AggregateMeasure measure(String name, Moments m) {
        MeanEstimate est = Inference.mean(m);
        return AggregateMeasure.newBuilder()
                .setMeasure(name)
                .setN(m.n())
                .setSum(ToDouble.of(m.sum()))
                .setSumOfSquares(ToDouble.of(m.sumOfSquares()))
                .setSumExact(m.sum().toPlainString())
                .setSumOfSquaresExact(m.sumOfSquares().toPlainString())
                .setMean(orNull(est.mean()))
                .setSd(orNull(est.sd()))
                .setCiLower(orNull(est.ciLower()))
                .setCiUpper(orNull(est.ciUpper()))
                .setAbsentReason(reason(est.absentReason().orElse(null)))
                .build();
    }

    private static AggregateProportion proportion(String flag, Proportion p) {
        ProportionEstimate est = Inference.wilson(p);
        return AggregateProportion.newBuilder()
                .setFlag(flag)
                .setN(p.n())
                .setSuccesses(p.successes())
                .setProportion(orNull(est.proportion()))
                .setWilsonLower(orNull(est.wilsonLower()))
                .setWilsonUpper(orNull(est.wilsonUpper()))
                .setAbsentReason(reason(est.absentReason().orElse(null)))
                .build();
    }

    private static AggregatePaired paired(String name, PairedMoments p) {
        Double meanX = null;
        Double meanY = null;
        if (p.n() >= 1) {
            BigDecimal n = BigDecimal.valueOf(p.n());
            meanX = ToDouble.of(p.sumX().divide(n, MathContext.DECIMAL128));
            meanY = ToDouble.of(p.sumY().divide(n, MathContext.DECIMAL128));
        }
        return AggregatePaired.newBuilder()
                .setMeasure(name)
                .setN(p.n())
                .setMeanX(meanX)
                .setMeanY(meanY)
                .setSumX(p.sumX().toPlainString())
                .setSumY(p.sumY().toPlainString())
                .setSumXX(p.sumXX().toPlainString())
                .setSumYY(p.sumYY().toPlainString())
                .setSumXY(p.sumXY().toPlainString())
                .build();
    }

    private static AggregateCompleteness completeness(CompletenessCounts counts, Instant dataCut) {
        if (dataCut == null) {
            return AggregateCompleteness.newBuilder().setDue(0).setAssessed(0).setCompleteness(null)
                    .setAbsentReason(StatisticAbsentReason.NO_DATA_CUT).build();
        }
        CompletenessEstimate c = counts.at(dataCut);
        return AggregateCompleteness.newBuilder()
                .setDue(c.due())
                .setAssessed(c.assessed())
                .setCompleteness(orNull(c.completeness()))
                .setAbsentReason(reason(c.absentReason().orElse(null)))
                .build();
    }

    static Double orNull(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }

    static StatisticAbsentReason reason(AbsentReason r) {
        return r == null ? null : StatisticAbsentReason.valueOf(r.name());
    }
}
