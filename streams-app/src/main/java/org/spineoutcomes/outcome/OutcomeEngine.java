package org.spineoutcomes.outcome;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.OutcomeComplication;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.stats.ToDouble;

/**
 * The per-patient outcome (docs/computation-rules.md R1-R29, R34, and the per-patient part of R37): a
 * pure function of the set of a patient's resolved events. Every choice has a total tie-break (R3), so
 * the input order never matters, and nothing depends on a data cut (R2).
 *
 * <p>The rules live in one class per clinical topic, each writing its part of the outcome:
 * {@link TreatmentHistory} (arms, index, crossover, day numbers: R1, R4-R8), {@link ScoreWindows}
 * (R13-R19), {@link ImagingOutcomes} (R20-R26), {@link ComplicationsAndMedication} (R27, R28),
 * {@link Strata} (R29) and {@link NewFractureTime} (R37). Thresholds are compared exactly on the inputs
 * ({@link ExactDecimals}, R35).
 */
public final class OutcomeEngine {
    private OutcomeEngine() {}

    /** Fracture age at most this many days is LE_6W (R29); see {@link Strata#FRACTURE_AGE_6W_DAYS}. */
    public static final int FRACTURE_AGE_6W_DAYS = Strata.FRACTURE_AGE_6W_DAYS;
    /** Baseline pain stratum threshold on the 0-10 scale (R29); see {@link Strata#BASELINE_PAIN_HIGH}. */
    public static final BigDecimal BASELINE_PAIN_HIGH = Strata.BASELINE_PAIN_HIGH;
    /** Last day of POST imaging (R21) and of the POST as-treated arm (R29); see {@link ImagingOutcomes#POST_LAST_DAY}. */
    public static final int POST_LAST_DAY = ImagingOutcomes.POST_LAST_DAY;

    /** Computes the outcome of one patient from its resolved events. */
    public static PatientOutcome compute(String patientId, ResolvedEvents events) {
        if (patientId == null || patientId.isBlank()) throw new IllegalArgumentException("patientId is missing");
        ComplicationsAndMedication reports = new ComplicationsAndMedication(events.followUps());
        PatientOutcome.Builder out = PatientOutcome.newBuilder()
                .setPatientId(patientId)
                .setCrossover(false)
                .setTreatments(List.of()).setStrata(List.of()).setWindows(List.of())
                .setIndexLevels(List.of()).setImagingLevels(List.of()).setImagingStudiesIgnored(0)
                .setComplications(List.of()).setAnyComplication(false);
        reports.writeMedication(out);
        Optional<TreatmentHistory> treated = TreatmentHistory.of(events.procedures());
        if (treated.isEmpty()) {
            // R12: no treatment left, the patient is in no cell; its other events stay in state.
            return out.setIttArmAbsentReason(AbsentReason.NO_TREATMENT)
                    .setFurtherCollapseAbsentReason(AbsentReason.NO_TREATMENT)
                    .setDaysToMedicationAbsentReason(AbsentReason.NO_TREATMENT)
                    .setNewFractureTimeAbsentReason(AbsentReason.NO_TREATMENT)
                    .build();
        }
        TreatmentHistory history = treated.get();
        history.writeTo(out);

        ScoreWindows scores = new ScoreWindows(history, events.followUps());
        BigDecimal baselinePain = scores.baselinePain();
        out.setWindows(scores.windows()).setBaselinePain(baselinePain == null ? null : ToDouble.of(baselinePain));
        ProcedureEvent index = history.index().event();
        out.setStrata(Strata.of(index.getAgeYears(), index.getSex(), history.fractureAgeDays(), baselinePain));

        List<OutcomeComplication> complications = reports.complications(history);
        out.setComplications(complications).setAnyComplication(!complications.isEmpty());
        reports.writeDaysToMedication(out, history);
        NewFractureTime.writeTo(out, history, events.followUps(), events.imaging(), complications);
        new ImagingOutcomes(history, events.imaging(), ComplicationsAndMedication.cementLeakLevels(complications)).writeTo(out);
        return out.build();
    }
}
