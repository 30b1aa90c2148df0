package org.spineoutcomes.outcome;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.spineoutcomes.clinical.CptCodes;
import org.spineoutcomes.schema.OutcomeTreatment;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.TreatmentArm;

/**
 * A patient's treatments and what follows from them (docs/computation-rules.md R1, R4-R8): each treatment's arm, their
 * order, the index treatment and ITT arm, the as-treated arm at a point in time, the crossover, and the
 * day numbers every other rule counts in.
 */
final class TreatmentHistory {

    /** A treatment event with its arm (R4). */
    record Treatment(ProcedureEvent event, TreatmentArm arm) {
        Instant at() { return event.getOccurredAt(); }
        String id() { return event.getEventId(); }
    }

    /** R5 order: performed-at, then precedence OPEN_SURGERY > KYPHOPLASTY > VERTEBROPLASTY > CONSERVATIVE, then event id. */
    static final Comparator<Treatment> TREATMENT_ORDER = Comparator.comparing(Treatment::at)
            .thenComparing(Treatment::arm, CptCodes.BY_PRECEDENCE_DESC)
            .thenComparing(Treatment::id);

    private final List<Treatment> treatments;
    private final Treatment index;
    private final LocalDate indexDate;
    /** The index date as an epoch day: day numbers are a subtraction (LocalDate.until works out the epoch day per call). */
    private final long indexEpochDay;

    private TreatmentHistory(List<Treatment> treatments) {
        this.treatments = treatments;
        this.index = treatments.get(0);
        this.indexDate = utcDate(index.at());
        this.indexEpochDay = indexDate.toEpochDay();
    }

    /** The history of these procedures; empty when none maps to an arm (R4), so the patient has no index (R12). */
    static Optional<TreatmentHistory> of(List<ProcedureEvent> procedures) {
        List<Treatment> treatments = new ArrayList<>();
        for (ProcedureEvent p : procedures) {
            CptCodes.armOfEvent(p.getCodes(), p.getConservativeCare() != null)
                    .ifPresent(arm -> treatments.add(new Treatment(p, arm)));
        }
        if (treatments.isEmpty()) return Optional.empty();
        treatments.sort(TREATMENT_ORDER);
        return Optional.of(new TreatmentHistory(List.copyOf(treatments)));
    }

    /** All treatments in R5 order. */
    List<Treatment> treatments() { return treatments; }

    /** R6: the first treatment in R5 order; its arm is the ITT arm. */
    Treatment index() { return index; }

    TreatmentArm ittArm() { return index.arm; }

    Instant indexAt() { return index.at(); }

    LocalDate indexDate() { return indexDate; }

    /** R1: the day number is the UTC calendar date minus the index date, so day 0 is the index date. */
    int day(Instant instant) {
        return Math.toIntExact(utcEpochDay(instant) - indexEpochDay);
    }

    int day(LocalDate date) {
        return Math.toIntExact(date.toEpochDay() - indexEpochDay);
    }

    private static long utcEpochDay(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), 86_400L);
    }

    static LocalDate utcDate(Instant instant) {
        // The UTC date from the epoch day: LocalDate.ofInstant asks ZoneOffset.UTC for its rules, a new object per call.
        return LocalDate.ofEpochDay(utcEpochDay(instant));
    }

    /** Fracture age (docs/clinical-definitions.md): index date minus onset date, negative for an onset after the index; null if unknown. */
    Integer fractureAgeDays() {
        LocalDate onset = index.event.getFractureOnsetDate();
        return onset == null ? null : Math.toIntExact(ChronoUnit.DAYS.between(onset, indexDate));
    }

    /** R7 at a score window: only treatments before its target day count. */
    TreatmentArm asTreatedBeforeDay(int day) {
        return asTreated(t -> day(t.at()) < day);
    }

    /** R7 for a fixed period such as the POST imaging days: treatments up to and including this day. */
    TreatmentArm asTreatedThroughDay(int lastDay) {
        return asTreated(t -> day(t.at()) <= lastDay);
    }

    TreatmentArm asTreatedOverall() {
        return asTreated(t -> true);
    }

    /**
     * R7: the arm of the last included treatment in R5 order, where a conservative-care start after an
     * intervention does not count; the ITT arm when no treatment is included.
     */
    private TreatmentArm asTreated(Predicate<Treatment> included) {
        TreatmentArm arm = null;
        boolean intervened = false;
        for (Treatment t : treatments) {
            if (!included.test(t)) continue;
            if (t.arm == TreatmentArm.CONSERVATIVE && intervened) continue;
            arm = t.arm;
            if (t.arm != TreatmentArm.CONSERVATIVE) intervened = true;
        }
        return arm != null ? arm : index.arm;
    }

    /** R8: ITT CONSERVATIVE followed by an augmentation; the first such gives arm and date. */
    Optional<Treatment> crossover() {
        if (index.arm != TreatmentArm.CONSERVATIVE) return Optional.empty();
        return treatments.stream().skip(1)
                .filter(t -> t.arm == TreatmentArm.VERTEBROPLASTY || t.arm == TreatmentArm.KYPHOPLASTY)
                .findFirst();
    }

    /** Index, arms, treatment list, crossover, and the index event's age, sex and fracture age. */
    void writeTo(PatientOutcome.Builder out) {
        out.setIttArm(index.arm)
                .setIndexEventId(index.id())
                .setIndexAt(index.at())
                .setIndexDate(indexDate)
                // R29: the POST cell's as-treated arm counts the treatments on the POST imaging days (R21).
                .setAsTreatedArmPost(asTreatedThroughDay(ImagingOutcomes.POST_LAST_DAY))
                .setAsTreatedArmOverall(asTreatedOverall());
        List<OutcomeTreatment> listed = new ArrayList<>();
        for (Treatment t : treatments) {
            listed.add(OutcomeTreatment.newBuilder().setEventId(t.id()).setArm(t.arm).setPerformedAt(t.at())
                    .setDayNumber(day(t.at())).setLevels(List.copyOf(new TreeSet<>(t.event.getLevels()))).build());
        }
        out.setTreatments(listed);
        crossover().ifPresent(t -> out.setCrossover(true).setCrossoverArm(t.arm)
                .setCrossoverDate(utcDate(t.at())).setCrossoverDayNumber(day(t.at())));
        out.setAgeYears(index.event.getAgeYears()).setSex(index.event.getSex()).setFractureAgeDays(fractureAgeDays());
    }
}
