package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Kaplan-Meier estimate of the time to first new vertebral fracture with its log(-log) Greenwood
 * interval (docs/computation-rules.md R37), from a cell's per-day counts.
 *
 * <pre>
 *   S    = product over event days t of (1 - d_t / n_t)     n_t = patients with time >= t (events first)
 *   G    = sum over event days of d_t / (n_t (n_t - d_t))
 *   se   = sqrt(G) / |ln S|
 *   95%  = ( S^exp(+z se), S^exp(-z se) )                   absent when S is 1 or 0
 * </pre>
 *
 * S and G are rational; they are carried with 34 significant digits. ln S is taken as log1p(S - 1), so an
 * S close to 1 keeps its relative precision.
 */
public final class KaplanMeier {
    private KaplanMeier() {}

    /** R37: the days at which S, the patients at risk, the events so far and the interval are reported. */
    public static final List<Integer> REPORT_DAYS = List.of(30, 90, 180, 365, 730);

    private static final MathContext MC = Exact.MC;
    private static final double Z = Inference.Z_95.doubleValue();

    /** S and G just after one event day. */
    private record Step(int day, long atRisk, long events, BigDecimal survival, BigDecimal greenwood) {}

    /**
     * @throws IllegalStateException for counts with a negative entry (a subtraction without its addition)
     */
    public static KaplanMeierEstimate estimate(SurvivalCounts counts) {
        Objects.requireNonNull(counts, "counts");
        if (!counts.hasNoNegativeCounts()) {
            throw new IllegalStateException("survival counts are negative (a subtraction without its addition): " + counts);
        }
        long atRisk = counts.patients();
        long events = 0;
        BigDecimal survival = BigDecimal.ONE;
        BigDecimal greenwood = BigDecimal.ZERO; // null once S = 0 (the term d / (n (n - d)) has n = d)
        TreeMap<Integer, Step> steps = new TreeMap<>();
        java.util.NavigableMap<Integer, SurvivalCounts.DayCounts> byDay = counts.byDay(); // one view (byDay() builds a map)
        for (Map.Entry<Integer, SurvivalCounts.DayCounts> e : byDay.entrySet()) {
            long d = e.getValue().events();
            if (d > 0) {
                events += d;
                BigDecimal n = Exact.n(atRisk);
                // Events come first: the patients censored this day are still in n (R37).
                survival = survival.multiply(Exact.n(atRisk - d)).divide(n, MC);
                greenwood = atRisk == d || greenwood == null ? null
                        : greenwood.add(Exact.n(d).divide(n.multiply(Exact.n(atRisk - d)), MC), MC);
                steps.put(e.getKey(), new Step(e.getKey(), atRisk, events, survival, greenwood));
            }
            atRisk -= e.getValue().patients();
        }
        List<SurvivalPoint> curve = new ArrayList<>();
        for (Step s : steps.values()) {
            curve.add(point(s.day(), s.atRisk(), s.events(), s.survival(), s.greenwood()));
        }
        List<SurvivalPoint> reported = new ArrayList<>();
        for (int day : REPORT_DAYS) {
            Map.Entry<Integer, Step> last = steps.floorEntry(day);
            long atRiskThen = 0;
            for (SurvivalCounts.DayCounts c : byDay.tailMap(day, true).values()) atRiskThen += c.patients();
            reported.add(last == null
                    ? point(day, atRiskThen, 0, BigDecimal.ONE, BigDecimal.ZERO)
                    : point(day, atRiskThen, last.getValue().events(), last.getValue().survival(), last.getValue().greenwood()));
        }
        return new KaplanMeierEstimate(counts.patients(), counts.events(), List.copyOf(reported), List.copyOf(curve));
    }

    private static SurvivalPoint point(int day, long atRisk, long events, BigDecimal survival, BigDecimal greenwood) {
        OptionalDouble g = greenwood == null ? OptionalDouble.empty() : OptionalDouble.of(ToDouble.of(greenwood));
        OptionalDouble none = OptionalDouble.empty();
        if (survival.compareTo(BigDecimal.ONE) == 0) {
            return new SurvivalPoint(day, atRisk, events, 1.0, g, none, none, Optional.of(AbsentReason.NO_EVENTS));
        }
        if (survival.signum() == 0) {
            return new SurvivalPoint(day, atRisk, events, 0.0, g, none, none, Optional.of(AbsentReason.SURVIVAL_ZERO));
        }
        double lnS = Math.log1p(ToDouble.of(survival.subtract(BigDecimal.ONE)));
        double se = ToDouble.of(Exact.sqrt(greenwood)) / Math.abs(lnS);
        double lower = Math.exp(lnS * Math.exp(Z * se));
        double upper = Math.exp(lnS * Math.exp(-Z * se));
        return new SurvivalPoint(day, atRisk, events, ToDouble.of(survival), g, OptionalDouble.of(lower),
                OptionalDouble.of(upper), Optional.empty());
    }
}
