package org.spineoutcomes.outcome;

import static org.spineoutcomes.outcome.ExactDecimals.exact;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.stats.ToDouble;

/**
 * Patient-reported scores per window (docs/computation-rules.md R13-R19): which assessments count (R13), the baseline
 * (R14), the assessment chosen in each window (R15, R3 ties), pain on the 0-10 scale (R16), relief and
 * score changes (R17), responder flags (R18) and why a value is absent (R19). The windows' day ranges
 * are in {@link ScoreWindow}.
 */
final class ScoreWindows {

    /** R14: the baseline is the latest assessment before the index, at most 30 days before it. */
    static final int BASELINE_LOOKBACK_DAYS = 30;
    /** R18 MCID_2PT: relief of at least 2 points on the 0-10 scale. */
    static final BigDecimal MCID_POINTS = BigDecimal.valueOf(2);
    /** R18 LOW_PAIN: follow-up pain strictly below 4. */
    static final BigDecimal LOW_PAIN_BELOW = BigDecimal.valueOf(4);
    /** R18 RELIEF_30PCT: relief of at least 30 % of baseline. */
    static final BigDecimal RELIEF_30_PERCENT = BigDecimal.valueOf(30);
    /** R18 RELIEF_50PCT: relief of at least 50 % of baseline. */
    static final BigDecimal RELIEF_50_PERCENT = BigDecimal.valueOf(50);
    /** R17: RMDQ is reported on the 24-item scale (a 23-item score is rescaled x 24/23). */
    static final int RMDQ_SCALE_ITEMS = 24;

    private final TreatmentHistory history;
    private final List<FollowUpEvent> assessments;
    private final FollowUpEvent baseline;
    private final BigDecimal baselinePain;

    ScoreWindows(TreatmentHistory history, List<FollowUpEvent> followUps) {
        this.history = history;
        this.assessments = followUps.stream().filter(ScoreWindows::isAssessment).toList();
        this.baseline = chooseBaseline();
        this.baselinePain = baseline == null ? null : pain(baseline);
    }

    /** R13: a follow-up is an assessment when it reports any score (not only complications or medication). */
    static boolean isAssessment(FollowUpEvent f) {
        return f.getPainNrs() != null || f.getPainVas() != null || f.getOdi() != null || f.getRmdq() != null || f.getEq5dIndex() != null;
    }

    /** R16: NRS as is, else VAS mm / 10 exactly (unrounded); null without either. */
    static BigDecimal pain(FollowUpEvent f) {
        if (f.getPainNrs() != null) return BigDecimal.valueOf(f.getPainNrs());
        if (f.getPainVas() != null) return exact(f.getPainVas()).divide(BigDecimal.TEN);
        return null;
    }

    /** Exact baseline pain (R14, R16), or null; it also decides the R29 pain stratum. */
    BigDecimal baselinePain() { return baselinePain; }

    /** R14, R3: the latest assessment before the index instant within the lookback; equal instants: smaller id. */
    private FollowUpEvent chooseBaseline() {
        // Loops rather than streams here and below: these run for every window of every outcome computed.
        FollowUpEvent best = null;
        for (FollowUpEvent f : assessments) {
            if (!f.getOccurredAt().isBefore(history.indexAt()) || history.day(f.getOccurredAt()) < -BASELINE_LOOKBACK_DAYS) continue;
            if (best == null) {
                best = f;
                continue;
            }
            int later = f.getOccurredAt().compareTo(best.getOccurredAt());
            if (later > 0 || (later == 0 && f.getEventId().compareTo(best.getEventId()) < 0)) best = f;
        }
        return best;
    }

    /**
     * R15, R3: among candidates in the window, the one nearest its target day, then the earlier
     * instant, then the smaller event id; null when none. Also chooses the imaging study of R26.
     */
    static <T> T nearestToTarget(TreatmentHistory history, ScoreWindow w, List<T> candidates,
                                 Function<T, Instant> at, Function<T, String> id) {
        T best = null;
        int bestDistance = 0;
        for (T c : candidates) {
            int day = history.day(at.apply(c));
            if (!w.accepts(day)) continue;
            int distance = Math.abs(day - w.targetDay);
            if (best == null || distance < bestDistance) {
                best = c;
                bestDistance = distance;
            } else if (distance == bestDistance) {
                int earlier = at.apply(c).compareTo(at.apply(best));
                if (earlier < 0 || (earlier == 0 && id.apply(c).compareTo(id.apply(best)) < 0)) best = c;
            }
        }
        return best;
    }

    /** Every window BASELINE..M24, each with its chosen assessment or the reason it has none. */
    List<OutcomeWindow> windows() {
        List<FollowUpEvent> fromIndex = new ArrayList<>(assessments.size());
        for (FollowUpEvent f : assessments) {
            if (!f.getOccurredAt().isBefore(history.indexAt())) fromIndex.add(f);
        }
        List<OutcomeWindow> out = new ArrayList<>();
        for (ScoreWindow w : ScoreWindow.values()) {
            FollowUpEvent chosen = w == ScoreWindow.BASELINE ? baseline
                    : nearestToTarget(history, w, fromIndex, FollowUpEvent::getOccurredAt, FollowUpEvent::getEventId);
            out.add(window(w, chosen));
        }
        return out;
    }

    private OutcomeWindow window(ScoreWindow w, FollowUpEvent a) {
        boolean isBaseline = w == ScoreWindow.BASELINE;
        // The record itself, not its builder: every optional field of OutcomeWindow defaults to null, which is what a
        // new record holds, while the builder looks up and copies the schema default of each field left unset (about
        // 15 of 36 per window), a tenth of computing an outcome. The four required fields are set first, always.
        OutcomeWindow b = new OutcomeWindow();
        b.setWindow(w.window);
        b.setAsTreatedArm(isBaseline ? history.ittArm() : history.asTreatedBeforeDay(w.targetDay));
        b.setTargetDay(w.targetDay);
        b.setFirstDay(w.firstDay);
        b.setLastDay(w.lastDay);
        b.setLastAcceptedDate(history.indexDate().plusDays(w.lastDay));
        AbsentReason noAssessment = AbsentReason.NO_ASSESSMENT_IN_WINDOW;
        if (a == null) {
            b.setAssessmentAbsentReason(noAssessment);
        } else {
            b.setAssessmentId(a.getEventId());
            b.setAssessedAt(a.getOccurredAt());
            b.setDayNumber(history.day(a.getOccurredAt()));
        }
        BigDecimal pain = a == null ? null : pain(a);
        AbsentReason painAbsent = a == null ? noAssessment : pain == null ? AbsentReason.NO_PAIN_IN_ASSESSMENT : null;
        if (pain != null) b.setPain(ToDouble.of(pain)); else b.setPainAbsentReason(painAbsent);
        if (isBaseline) {
            // Relief, flags and changes compare a follow-up with the baseline: none for the baseline itself.
            AbsentReason na = AbsentReason.NOT_APPLICABLE;
            reliefAbsent(b, na);
            b.setLowPainAbsentReason(na);
            b.setOdiChangeAbsentReason(na);
            b.setRmdqChangeAbsentReason(na);
            b.setEq5dChangeAbsentReason(na);
        } else {
            painFlags(b, pain, painAbsent);
        }
        // ODI, RMDQ, EQ-5D and their changes (R17); each from the chosen assessment only (R15).
        scoreAndChange(b::setOdi, b::setOdiAbsentReason, b::setOdiChange, b::setOdiChangeAbsentReason,
                a, baseline, isBaseline, FollowUpEvent::getOdi, ScoreWindows::decimalChange, Double::doubleValue);
        scoreAndChange(b::setRmdq, b::setRmdqAbsentReason, b::setRmdqChange, b::setRmdqChangeAbsentReason,
                a, baseline, isBaseline, ScoreWindows::rmdq, Rmdq::minus, Rmdq::value);
        scoreAndChange(b::setEq5d, b::setEq5dAbsentReason, b::setEq5dChange, b::setEq5dChangeAbsentReason,
                a, baseline, isBaseline, FollowUpEvent::getEq5dIndex, ScoreWindows::decimalChange, Double::doubleValue);
        return b;
    }

    /** R17, R18: relief, percent relief and flags of a follow-up window, all exact. */
    private void painFlags(OutcomeWindow b, BigDecimal pain, AbsentReason painAbsent) {
        if (pain == null) {
            reliefAbsent(b, painAbsent);
            b.setLowPainAbsentReason(painAbsent);
            return;
        }
        b.setLowPain(pain.compareTo(LOW_PAIN_BELOW) < 0);
        if (baselinePain == null) {
            reliefAbsent(b, AbsentReason.NO_BASELINE);
            return;
        }
        BigDecimal relief = baselinePain.subtract(pain);
        b.setPainRelief(ToDouble.of(relief));
        b.setMcid2pt(relief.compareTo(MCID_POINTS) >= 0);
        if (baselinePain.signum() == 0) {
            relativeReliefAbsent(b, AbsentReason.BASELINE_ZERO);
            return;
        }
        b.setPercentRelief(ExactDecimals.percentAsDouble(relief, baselinePain));
        b.setRelief30pct(ExactDecimals.comparePercent(relief, baselinePain, RELIEF_30_PERCENT) >= 0);
        b.setRelief50pct(ExactDecimals.comparePercent(relief, baselinePain, RELIEF_50_PERCENT) >= 0);
    }

    /** No relief at all: absolute relief, MCID and the relative measures. */
    private static void reliefAbsent(OutcomeWindow b, AbsentReason why) {
        b.setPainReliefAbsentReason(why);
        b.setMcid2ptAbsentReason(why);
        relativeReliefAbsent(b, why);
    }

    /** No relief relative to baseline: percent relief and the 30 % and 50 % flags. */
    private static void relativeReliefAbsent(OutcomeWindow b, AbsentReason why) {
        b.setPercentReliefAbsentReason(why);
        b.setRelief30pctAbsentReason(why);
        b.setRelief50pctAbsentReason(why);
    }

    /** A follow-up minus baseline score, exact, rounded once. */
    private static double decimalChange(Double followUp, Double baseline) {
        return ToDouble.of(exact(followUp).subtract(exact(baseline)));
    }

    /** RMDQ on the 24-item scale as an exact fraction numerator / denominator (R17). */
    record Rmdq(long numerator, long denominator) {
        double value() { return (double) numerator / denominator; }

        /** this - baseline = (f_n b_d - b_n f_d) / (f_d b_d) in integers: one rounding. */
        double minus(Rmdq baseline) {
            return (double) (numerator * baseline.denominator - baseline.numerator * denominator) / (denominator * baseline.denominator);
        }
    }

    static Rmdq rmdq(FollowUpEvent f) {
        if (f.getRmdq() == null) return null;
        return new Rmdq((long) RMDQ_SCALE_ITEMS * f.getRmdq(), f.getRmdqItems());
    }

    /** One score and its change from baseline, with absent reasons (R17, R19). */
    private static <S> void scoreAndChange(Consumer<Double> setValue, Consumer<AbsentReason> setValueAbsent,
                                           Consumer<Double> setChange, Consumer<AbsentReason> setChangeAbsent,
                                           FollowUpEvent assessment, FollowUpEvent baseline, boolean isBaseline,
                                           Function<FollowUpEvent, S> score, BiFunction<S, S, Double> change,
                                           Function<S, Double> value) {
        S s = assessment == null ? null : score.apply(assessment);
        S base = baseline == null ? null : score.apply(baseline);
        AbsentReason absent = assessment == null ? AbsentReason.NO_ASSESSMENT_IN_WINDOW : s == null ? AbsentReason.NOT_REPORTED : null;
        if (s != null) setValue.accept(value.apply(s)); else setValueAbsent.accept(absent);
        if (isBaseline) return;
        if (s == null) setChangeAbsent.accept(absent);
        else if (base == null) setChangeAbsent.accept(AbsentReason.NO_BASELINE);
        else setChange.accept(change.apply(s, base));
    }
}
