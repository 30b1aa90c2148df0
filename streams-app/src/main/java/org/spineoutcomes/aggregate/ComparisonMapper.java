package org.spineoutcomes.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.spineoutcomes.schema.AncovaAdjustedDifference;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.NewcombeRiskDifference;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.WelchMeanDifference;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.AncovaEstimate;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Inference;
import org.spineoutcomes.stats.Moments;
import org.spineoutcomes.stats.PairedMoments;
import org.spineoutcomes.stats.Proportion;
import org.spineoutcomes.stats.RiskDifferenceEstimate;
import org.spineoutcomes.stats.WelchEstimate;

/**
 * Maps two cells of the same population/window/stratum to an {@link ArmComparison}
 * (spine.arm-comparisons.v1), first minus second (R32). A comparison exists while both cells
 * exist (see {@link #exists}); otherwise it is a tombstone.
 */
public final class ComparisonMapper {
    private ComparisonMapper() {}

    /** Record key: population/comparison/window/stratum, e.g. ITT/VP_vs_CONSERVATIVE/M3/ALL. */
    public static String key(String population, Comparison comparison, String window, String stratum) {
        return population + "/" + comparison.name() + "/" + window + "/" + stratum;
    }

    /** The cell of the first (minuend) arm. */
    public static CellKey firstCell(String population, Comparison comparison, String window, String stratum) {
        return new CellKey(population, comparison.first(), window, stratum);
    }

    /** The cell of the second (subtrahend) arm. */
    public static CellKey secondCell(String population, Comparison comparison, String window, String stratum) {
        return new CellKey(population, comparison.second(), window, stratum);
    }

    /** Comparison keys whose value depends on this cell (none for OPEN_SURGERY cells). */
    public static List<String> keysInvolving(CellKey cell) {
        List<String> keys = new ArrayList<>();
        for (Comparison c : Comparison.involving(cell.arm())) {
            keys.add(key(cell.population(), c, cell.window(), cell.stratum()));
        }
        return keys;
    }

    /** True when both cells exist (non-null and non-empty), i.e. the comparison is published. */
    public static boolean exists(CellStatistics first, CellStatistics second) {
        return first != null && second != null && !first.isEmpty() && !second.isEmpty();
    }

    /**
     * Welch for every measure present in either arm, ANCOVA for every pair measure present in either
     * arm, Newcombe for every flag present in either arm; a measure missing in one arm counts as n = 0
     * there and its values are absent (N_ZERO).
     *
     * @throws IllegalArgumentException when either cell is missing or empty, or a name is outside the schema's enums
     */
    public static ArmComparison toArmComparison(String population, Comparison comparison, String window, String stratum,
                                                CellStatistics first, CellStatistics second) {
        Objects.requireNonNull(comparison, "comparison");
        if (!exists(first, second)) {
            throw new IllegalArgumentException("comparison " + key(population, comparison, window, stratum)
                    + " needs both cells; it is deleted when one is missing (R30)");
        }
        AggregateMapper.requirePublishable(first, firstCell(population, comparison, window, stratum).asText());
        AggregateMapper.requirePublishable(second, secondCell(population, comparison, window, stratum).asText());

        List<WelchMeanDifference> welch = new ArrayList<>();
        for (String m : union(first.moments().keySet(), second.moments().keySet())) {
            WelchEstimate e = Inference.welch(first.moments().getOrDefault(m, Moments.ZERO),
                    second.moments().getOrDefault(m, Moments.ZERO));
            welch.add(WelchMeanDifference.newBuilder()
                    .setMeasure(m).setN1(e.n1()).setN2(e.n2())
                    .setMean1(AggregateMapper.orNull(e.mean1())).setMean2(AggregateMapper.orNull(e.mean2()))
                    .setMeanDifference(AggregateMapper.orNull(e.meanDifference()))
                    .setSe(AggregateMapper.orNull(e.se())).setDf(AggregateMapper.orNull(e.df()))
                    .setCiLower(AggregateMapper.orNull(e.ciLower())).setCiUpper(AggregateMapper.orNull(e.ciUpper()))
                    .setAbsentReason(AggregateMapper.reason(e.absentReason().orElse(null)))
                    .build());
        }
        List<AncovaAdjustedDifference> ancova = new ArrayList<>();
        for (String m : union(first.paired().keySet(), second.paired().keySet())) {
            AncovaEstimate e = Inference.ancova(first.paired().getOrDefault(m, PairedMoments.ZERO),
                    second.paired().getOrDefault(m, PairedMoments.ZERO));
            ancova.add(AncovaAdjustedDifference.newBuilder()
                    .setMeasure(m).setN1(e.n1()).setN2(e.n2())
                    .setSlope(AggregateMapper.orNull(e.slope()))
                    .setAdjustedDifference(AggregateMapper.orNull(e.adjustedDifference()))
                    .setSe(AggregateMapper.orNull(e.se()))
                    .setDf(e.df().isPresent() ? e.df().getAsLong() : null)
                    .setCiLower(AggregateMapper.orNull(e.ciLower())).setCiUpper(AggregateMapper.orNull(e.ciUpper()))
                    .setAbsentReason(AggregateMapper.reason(e.absentReason().orElse(null)))
                    .build());
        }
        List<NewcombeRiskDifference> risk = new ArrayList<>();
        for (String f : union(first.proportions().keySet(), second.proportions().keySet())) {
            RiskDifferenceEstimate e = Inference.newcombe(first.proportions().getOrDefault(f, Proportion.ZERO),
                    second.proportions().getOrDefault(f, Proportion.ZERO));
            risk.add(NewcombeRiskDifference.newBuilder()
                    .setFlag(f).setN1(e.n1()).setN2(e.n2()).setSuccesses1(e.successes1()).setSuccesses2(e.successes2())
                    .setP1(AggregateMapper.orNull(e.p1())).setP2(AggregateMapper.orNull(e.p2()))
                    .setDifference(AggregateMapper.orNull(e.difference()))
                    .setCiLower(AggregateMapper.orNull(e.ciLower())).setCiUpper(AggregateMapper.orNull(e.ciUpper()))
                    .setAbsentReason(AggregateMapper.reason(e.absentReason().orElse(null)))
                    .build());
        }
        return ArmComparison.newBuilder()
                .setPopulation(SchemaEnums.parse(Population.class, "population", population))
                .setComparison(comparison.toSchema())
                .setFirstArm(comparison.firstArm())
                .setSecondArm(comparison.secondArm())
                .setWindow(SchemaEnums.parse(Window.class, "window", window))
                .setStratum(SchemaEnums.parse(Stratum.class, "stratum", stratum))
                .setFirstPatients(first.patients())
                .setSecondPatients(second.patients())
                .setMeanDifferences(welch)
                .setAdjustedDifferences(ancova)
                .setRiskDifferences(risk)
                .build();
    }

    private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }
}
