package org.spineoutcomes.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.spineoutcomes.schema.KaplanMeierCurve;
import org.spineoutcomes.schema.LogRankComparison;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.SurvivalDayCounts;
import org.spineoutcomes.schema.SurvivalPointEstimate;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.KaplanMeier;
import org.spineoutcomes.stats.KaplanMeierEstimate;
import org.spineoutcomes.stats.LogRank;
import org.spineoutcomes.stats.LogRankEstimate;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.stats.SurvivalPoint;

/**
 * Maps Kaplan-Meier cells (population/arm/stratum, keyed as {@link CellKey} with window OVERALL) to
 * {@link TimeToEvent} records (spine.time-to-event.v1): one per cell (R37) and one per pair of arms (R38).
 */
public final class TimeToEventMapper {
    private TimeToEventMapper() {}

    /** Kaplan-Meier record key: population/arm/stratum, e.g. ITT/KYPHOPLASTY/ALL. */
    public static String kaplanMeierKey(CellKey cell) {
        return cell.population() + "/" + cell.arm() + "/" + cell.stratum();
    }

    /** Log-rank record key: population/comparison/stratum, e.g. ITT/KP_vs_VP/ALL. */
    public static String logRankKey(String population, Comparison comparison, String stratum) {
        return population + "/" + comparison.name() + "/" + stratum;
    }

    /** Every record of the given (non-empty) cells, by record key: Kaplan-Meier per cell, log-rank where both arms' cells exist. */
    public static Map<String, TimeToEvent> all(Map<CellKey, SurvivalCounts> cells) {
        Map<String, TimeToEvent> out = new TreeMap<>();
        cells.forEach((k, counts) -> {
            if (counts.isEmpty()) return;
            out.put(kaplanMeierKey(k), toKaplanMeier(k, counts));
            for (Comparison c : Comparison.values()) {
                if (!c.first().equals(k.arm())) continue;
                SurvivalCounts second = cells.get(new CellKey(k.population(), c.second(), k.window(), k.stratum()));
                if (second != null && !second.isEmpty()) {
                    out.put(logRankKey(k.population(), c, k.stratum()), toLogRank(k.population(), c, k.stratum(), counts, second));
                }
            }
        });
        return out;
    }

    /** R37 for one cell; {@code cell}'s window is not used. */
    public static TimeToEvent toKaplanMeier(CellKey cell, SurvivalCounts counts) {
        requirePublishable(counts, kaplanMeierKey(cell));
        KaplanMeierEstimate km = KaplanMeier.estimate(counts);
        List<SurvivalDayCounts> days = new ArrayList<>();
        counts.byDay().forEach((day, c) -> days.add(SurvivalDayCounts.newBuilder()
                .setDay(day).setEvents(c.events()).setCensored(c.censored()).build()));
        return TimeToEvent.newBuilder()
                .setPopulation(SchemaEnums.parse(Population.class, "population", cell.population()))
                .setStratum(SchemaEnums.parse(Stratum.class, "stratum", cell.stratum()))
                .setArm(SchemaEnums.parse(TreatmentArm.class, "arm", cell.arm()))
                .setKaplanMeier(KaplanMeierCurve.newBuilder()
                        .setPatients(km.patients()).setEvents(km.events()).setDays(days)
                        .setReported(points(km.reported())).setCurve(points(km.curve())).build())
                .build();
    }

    /** R38 for two cells of one population and stratum, first vs second. */
    public static TimeToEvent toLogRank(String population, Comparison comparison, String stratum,
                                        SurvivalCounts first, SurvivalCounts second) {
        Objects.requireNonNull(comparison, "comparison");
        requirePublishable(first, comparison.first());
        requirePublishable(second, comparison.second());
        LogRankEstimate e = LogRank.compare(first, second);
        return TimeToEvent.newBuilder()
                .setPopulation(SchemaEnums.parse(Population.class, "population", population))
                .setStratum(SchemaEnums.parse(Stratum.class, "stratum", stratum))
                .setComparison(comparison.toSchema())
                .setFirstArm(comparison.firstArm())
                .setSecondArm(comparison.secondArm())
                .setLogRank(LogRankComparison.newBuilder()
                        .setPatients1(e.patients1()).setPatients2(e.patients2())
                        .setObserved1(e.observed1()).setObserved2(e.observed2())
                        .setExpected1(e.expected1()).setVariance(e.variance())
                        .setChiSquare(AggregateMapper.orNull(e.chiSquare()))
                        .setPValue(AggregateMapper.orNull(e.pValue()))
                        .setHazardRatio(AggregateMapper.orNull(e.hazardRatio()))
                        .setHrLower(AggregateMapper.orNull(e.hrLower()))
                        .setHrUpper(AggregateMapper.orNull(e.hrUpper()))
                        .setAbsentReason(AdjustedComparisonMapper.reason(e.absentReason().orElse(null)))
                        .build())
                .build();
    }

    private static List<SurvivalPointEstimate> points(List<SurvivalPoint> points) {
        List<SurvivalPointEstimate> out = new ArrayList<>();
        for (SurvivalPoint p : points) {
            out.add(SurvivalPointEstimate.newBuilder()
                    .setDay(p.day()).setAtRisk(p.atRisk()).setEvents(p.events()).setSurvival(p.survival())
                    .setGreenwood(AggregateMapper.orNull(p.greenwood()))
                    .setCiLower(AggregateMapper.orNull(p.ciLower()))
                    .setCiUpper(AggregateMapper.orNull(p.ciUpper()))
                    .setAbsentReason(AdjustedComparisonMapper.reason(p.ciAbsentReason().orElse(null)))
                    .build());
        }
        return out;
    }

    private static void requirePublishable(SurvivalCounts counts, String what) {
        if (counts == null || counts.isEmpty()) {
            throw new IllegalArgumentException(what + " has no patients: its time-to-event records are deleted, not published (R30)");
        }
        if (!counts.hasNoNegativeCounts()) {
            throw new IllegalStateException(what + " has negative counts (a subtraction without its addition): " + counts);
        }
    }
}
