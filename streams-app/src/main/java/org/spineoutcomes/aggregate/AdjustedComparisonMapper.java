package org.spineoutcomes.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.AdjustedStatisticAbsentReason;
import org.spineoutcomes.schema.PatternSums;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.AbsentReason;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Moments;
import org.spineoutcomes.stats.PatternContribution;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.Standardisation;
import org.spineoutcomes.stats.StandardisedEstimate;
import org.spineoutcomes.stats.WelchEstimate;

/**
 * Maps the standardisation cells of two arms (population/arm/window, stratum ALL) to an
 * {@link AdjustedComparison} per measure (spine.adjusted-comparisons.v1), first minus second (R36).
 */
public final class AdjustedComparisonMapper {
    private AdjustedComparisonMapper() {}

    /** Record key: population/comparison/window/measure, e.g. ITT/KP_vs_VP/M1/painRelief. */
    public static String key(String population, Comparison comparison, String window, String measure) {
        return population + "/" + comparison.name() + "/" + window + "/" + measure;
    }

    /** R36: a record exists when each arm has at least one patient with a value of the measure. */
    public static boolean exists(PatternStatistics first, PatternStatistics second, String measure) {
        return first != null && second != null && first.total(measure).n() >= 1 && second.total(measure).n() >= 1;
    }

    /** Every record of the given cells (keyed as {@link CellKey} with stratum ALL), by record key. */
    public static Map<String, AdjustedComparison> all(Map<CellKey, PatternStatistics> cells) {
        Map<String, AdjustedComparison> out = new java.util.TreeMap<>();
        cells.forEach((k, first) -> {
            for (Comparison c : Comparison.values()) {
                if (!c.first().equals(k.arm())) continue;
                PatternStatistics second = cells.get(new CellKey(k.population(), c.second(), k.window(), k.stratum()));
                if (second == null) continue;
                TreeSet<String> measures = new TreeSet<>(first.byMeasure().keySet());
                measures.addAll(second.byMeasure().keySet());
                for (String m : measures) {
                    if (exists(first, second, m)) {
                        out.put(key(k.population(), c, k.window(), m), toAdjustedComparison(k.population(), c, k.window(), m, first, second));
                    }
                }
            }
        });
        return out;
    }

    /**
     * @throws IllegalArgumentException when the record does not exist ({@link #exists}) or a name is outside the schema's enums
     * @throws IllegalStateException    for a cell with negative counts (a subtraction without its addition)
     */
    public static AdjustedComparison toAdjustedComparison(String population, Comparison comparison, String window, String measure,
                                                          PatternStatistics first, PatternStatistics second) {
        Objects.requireNonNull(comparison, "comparison");
        if (!exists(first, second, measure)) {
            throw new IllegalArgumentException("adjusted comparison " + key(population, comparison, window, measure)
                    + " needs a value of " + measure + " in both arms; it is deleted otherwise (R30)");
        }
        if (!first.hasNoNegativeCounts() || !second.hasNoNegativeCounts()) {
            throw new IllegalStateException("adjusted comparison " + key(population, comparison, window, measure)
                    + " has negative counts (a subtraction without its addition)");
        }
        StandardisedEstimate e = Standardisation.compare(first, second, measure);
        WelchEstimate crude = e.crude();
        return AdjustedComparison.newBuilder()
                .setPopulation(SchemaEnums.parse(Population.class, "population", population))
                .setComparison(comparison.toSchema())
                .setFirstArm(comparison.firstArm())
                .setSecondArm(comparison.secondArm())
                .setWindow(SchemaEnums.parse(Window.class, "window", window))
                .setMeasure(measure)
                .setN1(e.n1()).setN2(e.n2())
                .setUsablePatterns(e.usablePatterns())
                .setUsableN1(e.usableN1()).setUsableN2(e.usableN2())
                .setShare1(AggregateMapper.orNull(e.share1()))
                .setShare2(AggregateMapper.orNull(e.share2()))
                .setSharePooled(AggregateMapper.orNull(e.sharePooled()))
                .setDifference(AggregateMapper.orNull(e.difference()))
                .setVariance(AggregateMapper.orNull(e.variance()))
                .setSe(AggregateMapper.orNull(e.se()))
                .setCiLower(AggregateMapper.orNull(e.ciLower()))
                .setCiUpper(AggregateMapper.orNull(e.ciUpper()))
                .setAbsentReason(reason(e.absentReason().orElse(null)))
                .setCrudeDifference(AggregateMapper.orNull(crude.meanDifference()))
                .setCrudeSe(AggregateMapper.orNull(crude.se()))
                .setCrudeDf(AggregateMapper.orNull(crude.df()))
                .setCrudeCiLower(AggregateMapper.orNull(crude.ciLower()))
                .setCrudeCiUpper(AggregateMapper.orNull(crude.ciUpper()))
                .setCrudeAbsentReason(AggregateMapper.reason(crude.absentReason().orElse(null)))
                .setPatterns(patterns(first.patterns(measure), second.patterns(measure)))
                .build();
    }

    private static List<PatternSums> patterns(Map<String, Moments> first, Map<String, Moments> second) {
        TreeSet<String> names = new TreeSet<>(first.keySet());
        names.addAll(second.keySet());
        List<PatternSums> out = new ArrayList<>();
        for (String name : names) {
            Moments a = first.getOrDefault(name, Moments.ZERO);
            Moments b = second.getOrDefault(name, Moments.ZERO);
            out.add(PatternSums.newBuilder()
                    .setPattern(name)
                    .setUsable(!PatternContribution.UNCLASSIFIED.equals(name) && a.n() >= 2 && b.n() >= 2)
                    .setN1(a.n()).setSum1(a.sum().toPlainString()).setSumOfSquares1(a.sumOfSquares().toPlainString())
                    .setN2(b.n()).setSum2(b.sum().toPlainString()).setSumOfSquares2(b.sumOfSquares().toPlainString())
                    .build());
        }
        return out;
    }

    static AdjustedStatisticAbsentReason reason(AbsentReason r) {
        return r == null ? null : AdjustedStatisticAbsentReason.valueOf(r.name());
    }
}
