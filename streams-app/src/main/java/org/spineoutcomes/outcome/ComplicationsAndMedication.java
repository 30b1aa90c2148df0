package org.spineoutcomes.outcome;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.OutcomeComplication;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * What the follow-up reports say besides scores: complications (docs/computation-rules.md R27) and osteoporosis
 * medication starts (R28). An item without its own date takes the date of the report it came in.
 */
final class ComplicationsAndMedication {

    /** R27: a complication is counted once per (type, level, date). */
    private record ComplicationKey(ComplicationType type, VertebralLevel level, LocalDate date) {}

    /** Listing order of the counted complications: date, type, level (none first). */
    private static final Comparator<ComplicationKey> COMPLICATION_ORDER = Comparator.comparing(ComplicationKey::date)
            .thenComparing(ComplicationKey::type)
            .thenComparing(ComplicationKey::level, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final List<FollowUpEvent> followUps;
    private final LocalDate medicationStart;
    private final Set<MedicationClass> medicationClasses = EnumSet.noneOf(MedicationClass.class);

    /** R28: any follow-up reporting a start counts, whatever its date; the earliest start is kept. */
    ComplicationsAndMedication(List<FollowUpEvent> followUps) {
        this.followUps = followUps;
        LocalDate earliest = null;
        for (FollowUpEvent f : followUps) {
            for (MedicationStart m : f.getMedications()) {
                LocalDate d = itemDate(m.getStartDate(), f);
                if (earliest == null || d.isBefore(earliest)) earliest = d;
                medicationClasses.add(m.getMedicationClass());
            }
        }
        this.medicationStart = earliest;
    }

    private static LocalDate itemDate(LocalDate own, FollowUpEvent report) {
        return own != null ? own : TreatmentHistory.utcDate(report.getOccurredAt());
    }

    /** R28 facts that need no index: started, earliest start date, classes (also for an untreated patient). */
    void writeMedication(PatientOutcome.Builder out) {
        out.setMedicationStarted(medicationStart != null)
                .setMedicationStartDate(medicationStart)
                .setMedicationClasses(List.copyOf(medicationClasses));
    }

    /** R28: earliest start minus the index date, in days (may be negative: started before the index). */
    void writeDaysToMedication(PatientOutcome.Builder out, TreatmentHistory history) {
        if (medicationStart != null) out.setDaysToMedication(history.day(medicationStart));
        else out.setDaysToMedicationAbsentReason(AbsentReason.NOT_APPLICABLE);
    }

    /** R27: complications dated on or after the index date, each (type, level, date) once, in listing order. */
    List<OutcomeComplication> complications(TreatmentHistory history) {
        TreeSet<ComplicationKey> counted = new TreeSet<>(COMPLICATION_ORDER);
        for (FollowUpEvent f : followUps) {
            for (Complication c : f.getComplications()) {
                LocalDate date = itemDate(c.getDate(), f);
                if (history.day(date) >= 0) counted.add(new ComplicationKey(c.getType(), c.getLevel(), date));
            }
        }
        List<OutcomeComplication> list = new ArrayList<>();
        for (ComplicationKey k : counted) {
            list.add(OutcomeComplication.newBuilder().setType(k.type).setLevel(k.level).setDate(k.date)
                    .setDaysFromIndex(history.day(k.date)).build());
        }
        return list;
    }

    /** R27: the levels with a counted cement leakage, for the per-level leakage flag. */
    static Set<VertebralLevel> cementLeakLevels(List<OutcomeComplication> complications) {
        Set<VertebralLevel> levels = EnumSet.noneOf(VertebralLevel.class);
        for (OutcomeComplication c : complications) {
            if (c.getType() == ComplicationType.CEMENT_LEAKAGE && c.getLevel() != null) levels.add(c.getLevel());
        }
        return levels;
    }
}
