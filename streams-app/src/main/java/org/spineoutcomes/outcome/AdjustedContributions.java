package org.spineoutcomes.outcome;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Measures;
import org.spineoutcomes.stats.PatternContribution;
import org.spineoutcomes.stats.SurvivalTime;

/**
 * What one patient outcome contributes to the cells of the standardised comparison (docs/computation-rules.md
 * R36) and of the time to first new vertebral fracture (R37, R38). Like {@link CellContributions}, a pure
 * function of the outcome, so the stream can subtract a patient's previous contribution (from its stored
 * outcome) and add the new one.
 *
 * <ul>
 *   <li><b>Standardisation cells</b> ({@link #standardisation}): population x arm x window D1..M24, keyed as
 *       {@link CellKey} with stratum ALL (R36 has no strata). The arm is the ITT arm, or the window's
 *       as-treated arm (R7). The contribution is the patient's pattern and its values of pain relief, ODI
 *       change and MCID_2PT (1 or 0) where defined; a window with none of them contributes nothing.</li>
 *   <li><b>Kaplan-Meier cells</b> ({@link #survival}): population x arm x stratum, keyed as {@link CellKey}
 *       with window OVERALL: the ITT arm, or for AS_TREATED the OVERALL as-treated arm (R29); the one-way
 *       strata of R29. The contribution is the patient's {@link SurvivalTime}.</li>
 * </ul>
 * A patient without a treatment (R12) is in no cell.
 */
public final class AdjustedContributions {
    private AdjustedContributions() {}

    /** R36: the measures compared by standardisation, by their {@link Measures} names. */
    public static final List<String> STANDARDISED_MEASURES = List.of(Measures.PAIN_RELIEF, Measures.ODI_CHANGE, Measures.MCID_2PT);

    /** R36: the four factors of a pattern, in the order of the pattern's name. */
    private static final List<Set<Stratum>> FACTORS = List.of(
            EnumSet.of(Stratum.AGE_LT_65, Stratum.AGE_65_74, Stratum.AGE_75_84, Stratum.AGE_GE_85),
            EnumSet.of(Stratum.SEX_F, Stratum.SEX_M),
            EnumSet.of(Stratum.BASELINE_PAIN_GE_8, Stratum.BASELINE_PAIN_LT_8),
            EnumSet.of(Stratum.FRACTURE_AGE_LE_6W, Stratum.FRACTURE_AGE_GT_6W));

    /**
     * R36: the patient's covariate pattern, the names of its age, sex, baseline-pain and fracture-age strata
     * joined by '/', e.g. {@code AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W}. The strata are those
     * of R29 (from the ITT index event, compared exactly); a factor without a stratum (unknown age, sex other
     * than F or M, no baseline pain, unknown onset or one after the index) makes the patient
     * {@link PatternContribution#UNCLASSIFIED}.
     */
    public static String pattern(PatientOutcome outcome) {
        StringBuilder name = new StringBuilder();
        for (Set<Stratum> factor : FACTORS) {
            Stratum level = outcome.getStrata().stream().filter(factor::contains).findFirst().orElse(null);
            if (level == null) return PatternContribution.UNCLASSIFIED;
            if (!name.isEmpty()) name.append('/');
            name.append(level.name());
        }
        return name.toString();
    }

    /** The standardisation cells of one patient and its contribution to each, in a stable order. */
    public static Map<CellKey, PatternContribution> standardisation(PatientOutcome outcome) {
        Map<CellKey, PatternContribution> cells = new LinkedHashMap<>();
        if (outcome.getIttArm() == null) return cells;
        String pattern = pattern(outcome);
        for (OutcomeWindow w : outcome.getWindows()) {
            if (w.getWindow() == Window.BASELINE) continue;
            Map<String, Double> values = new TreeMap<>();
            if (w.getPainRelief() != null) values.put(Measures.PAIN_RELIEF, w.getPainRelief());
            if (w.getOdiChange() != null) values.put(Measures.ODI_CHANGE, w.getOdiChange());
            if (w.getMcid2pt() != null) values.put(Measures.MCID_2PT, w.getMcid2pt() ? 1.0 : 0.0);
            if (values.isEmpty()) continue;
            PatternContribution c = new PatternContribution(pattern, values);
            cells.put(key(Population.ITT, outcome.getIttArm(), w.getWindow(), Stratum.ALL), c);
            cells.put(key(Population.AS_TREATED, w.getAsTreatedArm(), w.getWindow(), Stratum.ALL), c);
        }
        return cells;
    }

    /** R37: the patient's time to first new vertebral fracture; null without a treatment (or from an outcome written before R37). */
    public static SurvivalTime survivalTime(PatientOutcome outcome) {
        if (outcome.getIttArm() == null || outcome.getNewFractureTime() == null || outcome.getNewFractureEvent() == null) {
            return null;
        }
        return new SurvivalTime(outcome.getNewFractureTime(), outcome.getNewFractureEvent());
    }

    /** The Kaplan-Meier cells of one patient (each gets {@link #survivalTime}), in a stable order. */
    public static Map<CellKey, SurvivalTime> survival(PatientOutcome outcome) {
        Map<CellKey, SurvivalTime> cells = new LinkedHashMap<>();
        SurvivalTime time = survivalTime(outcome);
        if (time == null) return cells;
        for (Stratum s : outcome.getStrata()) {
            cells.put(key(Population.ITT, outcome.getIttArm(), Window.OVERALL, s), time);
        }
        for (Stratum s : outcome.getStrata()) {
            cells.put(key(Population.AS_TREATED, outcome.getAsTreatedArmOverall(), Window.OVERALL, s), time);
        }
        return cells;
    }

    private static CellKey key(Population population, TreatmentArm arm, Window window, Stratum stratum) {
        return new CellKey(population.name(), arm.name(), window.name(), stratum.name());
    }
}
