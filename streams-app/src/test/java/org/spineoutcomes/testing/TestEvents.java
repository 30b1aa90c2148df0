package org.spineoutcomes.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * Builders of valid input events for hand-written topology tests. Every patient's index treatment is
 * on 2024-03-01 at 10:00 UTC (day 0); {@link #day(int)} gives the same time of day on another day
 * number. Recorded-at is one minute after occurred-at unless a test sets it.
 */
public final class TestEvents {
    private TestEvents() {}

    public static final Instant INDEX = Instant.parse("2024-03-01T10:00:00Z");
    public static final LocalDate INDEX_DATE = LocalDate.parse("2024-03-01");

    /** Day number {@code day} at 10:00 UTC (R1). */
    public static Instant day(int day) {
        return INDEX.plus(Duration.ofDays(day));
    }

    /** A procedure at L1 of a 78-year-old woman whose fracture began 20 days before the index. */
    public static ProcedureEvent.Builder procedure(String patient, String id, Instant at, String... codes) {
        return ProcedureEvent.newBuilder()
                .setEventId(id).setPatientId(patient).setOccurredAt(at).setRecordedAt(at.plusSeconds(60))
                .setSourceSystem("test").setCodes(List.of(codes)).setLevels(List.of(VertebralLevel.L1))
                .setAgeYears(78).setSex(Sex.F).setFractureOnsetDate(INDEX_DATE.minusDays(20));
    }

    /** Vertebroplasty, CPT 22511 (R4). */
    public static ProcedureEvent vertebroplasty(String patient, String id, Instant at) {
        return procedure(patient, id, at, "22511").build();
    }

    /** Kyphoplasty, CPT 22514 (R4). */
    public static ProcedureEvent kyphoplasty(String patient, String id, Instant at) {
        return procedure(patient, id, at, "22514").build();
    }

    /** A conservative-care start without CPT codes (R4). */
    public static ProcedureEvent conservative(String patient, String id, Instant at) {
        return procedure(patient, id, at).setLevels(List.of())
                .setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).setBracing(true).build()).build();
    }

    public static ProcedureEvent retractProcedure(String patient, String id, String target, Instant recordedAt) {
        return procedure(patient, id, recordedAt).setRetracts(target).setRecordedAt(recordedAt).build();
    }

    public static FollowUpEvent.Builder followUp(String patient, String id, Instant at) {
        return FollowUpEvent.newBuilder().setEventId(id).setPatientId(patient).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem("test");
    }

    public static FollowUpEvent nrs(String patient, String id, Instant at, int nrs) {
        return followUp(patient, id, at).setPainNrs(nrs).build();
    }

    /** A correction of follow-up {@code target}: a whole new payload with pain NRS {@code nrs}. */
    public static FollowUpEvent correctNrs(String patient, String id, String target, Instant at, int nrs, Instant recordedAt) {
        return followUp(patient, id, at).setPainNrs(nrs).setCorrects(target).setRecordedAt(recordedAt).build();
    }

    public static ImagingEvent.Builder study(String patient, String id, Instant at, ImagingPhase phase, LevelMeasurement... m) {
        return ImagingEvent.newBuilder().setEventId(id).setPatientId(patient).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem("test").setPhase(phase)
                .setModality(ImagingModality.RADIOGRAPH).setMeasurements(new ArrayList<>(List.of(m)));
    }

    public static LevelMeasurement level(VertebralLevel l, double heightMm, Double angleDeg, boolean fractured) {
        return LevelMeasurement.newBuilder().setLevel(l).setAnteriorHeightMm(heightMm).setMiddleHeightMm(heightMm)
                .setPosteriorHeightMm(heightMm).setKyphoticAngleDeg(angleDeg).setFractured(fractured).build();
    }
}
