package org.spineoutcomes.outcome;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.OutcomeColumn;
import org.spineoutcomes.schema.OutcomeImagingChange;
import org.spineoutcomes.schema.OutcomeLevelImaging;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;

/**
 * What one patient outcome contributes to the aggregate cells (docs/computation-rules.md R29): population (ITT,
 * AS_TREATED) x arm x window x stratum. A patient with a treatment is in every window cell of its
 * arms and strata (BASELINE..M24, POST, OVERALL), even where it has no value, so that completeness
 * (R33) counts it; a patient without a treatment (R12) is in none.
 *
 * <ul>
 *   <li>BASELINE..M24: scores, changes, flags where defined, the (baseline, follow-up) pain pair, the
 *       completeness facts (last accepted date = index date + last accepted day; 0 for BASELINE), and
 *       in D1..M24 the imaging change from PRE, one value per index level (R26).</li>
 *   <li>POST: imaging outcomes, one value per index level (R20-R24); as-treated arm from days 0-7.</li>
 *   <li>OVERALL: complication flags per patient, further collapse, medication, and cement leakage
 *       one flag per index level (R25, R27, R28); as-treated arm = the last intervention.</li>
 * </ul>
 */
public final class CellContributions {
    private CellContributions() {}

    /** Cells and contributions of one patient, in a stable order; empty when no treatment remains. */
    public static Map<CellKey, Contribution> of(PatientOutcome outcome) {
        Map<CellKey, Contribution> cells = new LinkedHashMap<>();
        Slots slots = slots(outcome);
        if (slots == null) return cells;
        for (Slot w : slots.windows()) spread(slots, w, cells);
        return cells;
    }

    /**
     * A patient's contributions before they are spread over its cells: one per window, which goes alike to every
     * stratum of the patient in its ITT arm and in the window's as-treated arm.
     */
    public record Slots(TreatmentArm itt, List<Stratum> strata, List<Slot> windows) {}

    /**
     * One window of one outcome: its as-treated arm and its contribution, computed when first asked for (a patient
     * update compares the windows of two outcomes, and most windows did not change: {@link #sameInputsAs} tells so
     * without computing either contribution).
     */
    public static final class Slot {
        private final Window window;
        private final TreatmentArm asTreated;
        private final PatientOutcome outcome;
        /** The score window (BASELINE..M24); null for POST and OVERALL. */
        private final OutcomeWindow scores;
        private Contribution contribution;

        Slot(Window window, TreatmentArm asTreated, PatientOutcome outcome, OutcomeWindow scores) {
            this.window = window;
            this.asTreated = asTreated;
            this.outcome = outcome;
            this.scores = scores;
        }

        public Window window() { return window; }

        public TreatmentArm asTreated() { return asTreated; }

        public Contribution contribution() {
            if (contribution == null) {
                contribution = switch (window) {
                    case POST -> post(outcome);
                    case OVERALL -> overall(outcome);
                    default -> scoreWindow(outcome, scores);
                };
            }
            return contribution;
        }

        /**
         * True when {@code other}, the same window of another outcome, certainly has the same contribution: every
         * outcome field that {@link #scoreWindow}, {@link #post} or {@link #overall} reads for this window is equal
         * (kept in step with them; PatientCellChangesTest compares every change of a random cohort with the
         * contributions themselves). False only means "compare the contributions".
         */
        public boolean sameInputsAs(Slot other) {
            if (window != other.window) return false;
            PatientOutcome a = outcome;
            PatientOutcome b = other.outcome;
            return switch (window) {
                case POST -> a.getImagingLevels().equals(b.getImagingLevels());
                case OVERALL -> a.getAnyComplication() == b.getAnyComplication()
                        && a.getComplications().equals(b.getComplications())
                        && Objects.equals(a.getFurtherCollapse(), b.getFurtherCollapse())
                        && a.getMedicationStarted() == b.getMedicationStarted()
                        && Objects.equals(a.getDaysToMedication(), b.getDaysToMedication())
                        && sameCementLeakage(a.getImagingLevels(), b.getImagingLevels());
                default -> scores.equals(other.scores)
                        && Objects.equals(a.getBaselinePain(), b.getBaselinePain())
                        && changesFromPre(a, window).equals(changesFromPre(b, window));
            };
        }
    }

    /** The imaging changes from PRE a score window's contribution reads, in the order it reads them. */
    private static List<OutcomeImagingChange> changesFromPre(PatientOutcome o, Window window) {
        List<OutcomeImagingChange> changes = new java.util.ArrayList<>(2);
        for (OutcomeLevelImaging level : o.getImagingLevels()) {
            for (OutcomeImagingChange ch : level.getChangesFromPre()) {
                if (ch.getWindow() == window) changes.add(ch);
            }
        }
        return changes;
    }

    private static boolean sameCementLeakage(List<OutcomeLevelImaging> a, List<OutcomeLevelImaging> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).getCementLeakage() != b.get(i).getCementLeakage()) return false;
        }
        return true;
    }

    /** The patient's contributions per window (score windows, then POST and OVERALL); null when no treatment remains. */
    public static Slots slots(PatientOutcome outcome) {
        if (outcome.getIttArm() == null) return null;
        List<Slot> windows = new java.util.ArrayList<>(outcome.getWindows().size() + 2);
        for (OutcomeWindow w : outcome.getWindows()) windows.add(new Slot(w.getWindow(), w.getAsTreatedArm(), outcome, w));
        windows.add(new Slot(Window.POST, outcome.getAsTreatedArmPost(), outcome, null));
        windows.add(new Slot(Window.OVERALL, outcome.getAsTreatedArmOverall(), outcome, null));
        return new Slots(outcome.getIttArm(), outcome.getStrata(), List.copyOf(windows));
    }

    /** Puts one window's contribution into every cell it goes to: each stratum in the ITT arm, then in its as-treated arm. */
    public static void spread(Slots slots, Slot slot, Map<CellKey, Contribution> cells) {
        String window = slot.window().name();
        for (Stratum s : slots.strata()) {
            cells.put(new CellKey(Population.ITT.name(), slots.itt().name(), window, s.name()), slot.contribution());
        }
        for (Stratum s : slots.strata()) {
            cells.put(new CellKey(Population.AS_TREATED.name(), slot.asTreated().name(), window, s.name()), slot.contribution());
        }
    }

    static Contribution scoreWindow(PatientOutcome o, OutcomeWindow w) {
        Contribution.Builder b = Contribution.builder()
                .completeness(w.getLastAcceptedDate(), w.getAssessmentId() != null);
        value(b, Measures.PAIN, w.getPain());
        value(b, Measures.ODI, w.getOdi());
        value(b, Measures.RMDQ, w.getRmdq());
        value(b, Measures.EQ5D, w.getEq5d());
        if (w.getWindow() == Window.BASELINE) return b.build();
        value(b, Measures.PAIN_RELIEF, w.getPainRelief());
        value(b, Measures.PERCENT_RELIEF, w.getPercentRelief());
        value(b, Measures.ODI_CHANGE, w.getOdiChange());
        value(b, Measures.RMDQ_CHANGE, w.getRmdqChange());
        value(b, Measures.EQ5D_CHANGE, w.getEq5dChange());
        flag(b, Measures.MCID_2PT, w.getMcid2pt());
        flag(b, Measures.RELIEF_30PCT, w.getRelief30pct());
        flag(b, Measures.RELIEF_50PCT, w.getRelief50pct());
        flag(b, Measures.LOW_PAIN, w.getLowPain());
        if (o.getBaselinePain() != null && w.getPain() != null) b.pair(Measures.PAIN_PAIR, o.getBaselinePain(), w.getPain());
        for (OutcomeLevelImaging level : o.getImagingLevels()) {
            for (OutcomeImagingChange ch : level.getChangesFromPre()) {
                if (ch.getWindow() != w.getWindow()) continue;
                value(b, Measures.HEIGHT_CHANGE_ANTERIOR_MM, ch.getAnteriorChangeMm());
                value(b, Measures.HEIGHT_CHANGE_MIDDLE_MM, ch.getMiddleChangeMm());
                value(b, Measures.HEIGHT_CHANGE_POSTERIOR_MM, ch.getPosteriorChangeMm());
                value(b, Measures.KYPHOSIS_CHANGE_DEG, ch.getKyphosisChangeDeg());
            }
        }
        return b.build();
    }

    static Contribution post(PatientOutcome o) {
        Contribution.Builder b = Contribution.builder();
        for (OutcomeLevelImaging level : o.getImagingLevels()) {
            value(b, Measures.HEIGHT_LOSS_PCT_MAX, level.getMaxHeightLossPct());
            column(b, level.getAnterior(), Measures.RESTORATION_PCT_ANTERIOR, Measures.HEIGHT_GAIN_ANTERIOR_MM);
            column(b, level.getMiddle(), Measures.RESTORATION_PCT_MIDDLE, Measures.HEIGHT_GAIN_MIDDLE_MM);
            column(b, level.getPosterior(), Measures.RESTORATION_PCT_POSTERIOR, Measures.HEIGHT_GAIN_POSTERIOR_MM);
            value(b, Measures.KYPHOSIS_CORRECTION_DEG, level.getKyphosisCorrectionDeg());
        }
        return b.build();
    }

    private static void column(Contribution.Builder b, OutcomeColumn c, String restoration, String gain) {
        value(b, restoration, c.getRestorationPct());
        value(b, gain, c.getHeightGainMm());
    }

    static Contribution overall(PatientOutcome o) {
        Contribution.Builder b = Contribution.builder();
        b.flag(Measures.ANY_COMPLICATION, o.getAnyComplication());
        for (ComplicationType t : ComplicationType.values()) {
            boolean any = o.getComplications().stream().anyMatch(c -> c.getType() == t);
            b.flag(Measures.COMPLICATION_PREFIX + t.name(), any);
        }
        flag(b, Measures.FURTHER_COLLAPSE, o.getFurtherCollapse());
        b.flag(Measures.MEDICATION_STARTED, o.getMedicationStarted());
        if (o.getDaysToMedication() != null) b.value(Measures.DAYS_TO_MEDICATION, o.getDaysToMedication());
        for (OutcomeLevelImaging level : o.getImagingLevels()) {
            b.flag(Measures.CEMENT_LEAKAGE_PER_LEVEL, level.getCementLeakage());
        }
        return b.build();
    }

    private static void value(Contribution.Builder b, String measure, Double v) {
        if (v != null) b.value(measure, v);
    }

    private static void flag(Contribution.Builder b, String flag, Boolean v) {
        if (v != null) b.flag(flag, v);
    }
}
