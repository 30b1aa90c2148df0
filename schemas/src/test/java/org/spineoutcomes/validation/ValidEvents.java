package org.spineoutcomes.validation;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LeakageSite;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;

/** Fully populated valid events (relative to {@link #CLOCK}) that tests modify one field at a time. */
public final class ValidEvents {
    private ValidEvents() {}

    /** The processing clock the fixtures are valid against. */
    public static final Instant CLOCK = Instant.parse("2024-06-01T12:00:00Z");

    public static ProcedureEvent vertebroplasty() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-03-04T09:15:00Z")).setRecordedAt(Instant.parse("2024-03-04T11:00:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setCodes(new ArrayList<>(List.of("22510", "77012")))
                .setLevels(new ArrayList<>(List.of(VertebralLevel.L1)))
                .setCementVolumeMl(4.5).setAgeYears(78).setSex(Sex.F)
                .setFractureOnsetDate(LocalDate.parse("2024-02-10"))
                .setDiagnosisCodes(new ArrayList<>(List.of("M80.08XA")))
                .build();
    }

    public static ProcedureEvent conservativeStart() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-2").setPatientId("MRN-000124")
                .setOccurredAt(Instant.parse("2024-03-04T09:15:00Z")).setRecordedAt(Instant.parse("2024-03-04T11:00:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).setBracing(true).build())
                .setLevels(new ArrayList<>(List.of(VertebralLevel.T12, VertebralLevel.L1)))
                .setAgeYears(83).setSex(Sex.M)
                .build();
    }

    public static ImagingEvent preImaging() {
        return ImagingEvent.newBuilder()
                .setEventId("img-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-03-01T08:00:00Z")).setRecordedAt(Instant.parse("2024-03-01T09:00:00Z"))
                .setSourceSystem("hospital-a/pacs")
                .setPhase(ImagingPhase.PRE).setModality(ImagingModality.CT)
                .setStudyUid("1.2.826.0.1.3680043.8.498.1")
                .setMeasurements(new ArrayList<>(List.of(
                        measurement(VertebralLevel.T12, 24.1, 23.5, 25.0, 4.0, false),
                        measurement(VertebralLevel.L1, 15.2, 17.9, 25.6, 17.5, true),
                        measurement(VertebralLevel.L2, 26.0, 25.2, 26.8, 3.0, false))))
                .build();
    }

    public static LevelMeasurement measurement(VertebralLevel level, Double anterior, Double middle, Double posterior,
                                               Double angle, boolean fractured) {
        return LevelMeasurement.newBuilder().setLevel(level).setAnteriorHeightMm(anterior).setMiddleHeightMm(middle)
                .setPosteriorHeightMm(posterior).setKyphoticAngleDeg(angle).setFractured(fractured).build();
    }

    public static FollowUpEvent followUp() {
        return FollowUpEvent.newBuilder()
                .setEventId("fu-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-04-03T10:00:00Z")).setRecordedAt(Instant.parse("2024-04-03T10:05:00Z"))
                .setSourceSystem("hospital-a/prom-portal")
                .setPainNrs(3).setPainVas(31.5).setOdi(38.0).setRmdq(11).setRmdqItems(24).setEq5dIndex(0.59)
                .setComplications(new ArrayList<>(List.of(Complication.newBuilder()
                        .setType(ComplicationType.CEMENT_LEAKAGE).setLevel(VertebralLevel.L1).setSite(LeakageSite.DISC)
                        .setSymptomatic(false).setDate(LocalDate.parse("2024-03-04")).build())))
                .setMedications(new ArrayList<>(List.of(
                        MedicationStart.newBuilder().setMedicationClass(MedicationClass.BISPHOSPHONATE)
                                .setStartDate(LocalDate.parse("2024-03-20")).build(),
                        MedicationStart.newBuilder().setMedicationClass(MedicationClass.VITAMIN_D).build())))
                .build();
    }
}
