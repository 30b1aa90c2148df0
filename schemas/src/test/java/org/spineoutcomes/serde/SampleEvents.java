package org.spineoutcomes.serde;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
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

/** Realistic events for serde tests: a kyphoplasty at L1, its pre/post radiographs, a 3-month follow-up. */
final class SampleEvents {
    static final String PATIENT = "3f1c9a7e0b5d4c2a8e6f1b3d5a7c9e0f2b4d6f8a1c3e5a7b9d0f2e4c6a8b0d1e";

    private SampleEvents() {
    }

    static ProcedureEvent kyphoplasty() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-0001")
                .setPatientId(PATIENT)
                .setOccurredAt(Instant.parse("2024-03-04T09:30:00Z"))
                .setRecordedAt(Instant.parse("2024-03-04T11:02:13.250Z"))
                .setSourceSystem("hospital-a/epic")
                .setCodes(List.of("22513"))
                .setLevels(List.of(VertebralLevel.L1))
                .setCementVolumeMl(4.5)
                .setAgeYears(74)
                .setSex(Sex.F)
                .setFractureOnsetDate(LocalDate.of(2024, 2, 20))
                .setDiagnosisCodes(List.of("M80.08XA"))
                .build();
    }

    static ImagingEvent postOpRadiograph() {
        return ImagingEvent.newBuilder()
                .setEventId("img-0002")
                .setPatientId(PATIENT)
                .setOccurredAt(Instant.parse("2024-03-05T08:15:00Z"))
                .setRecordedAt(Instant.parse("2024-03-05T08:40:00Z"))
                .setSourceSystem("hospital-a/pacs")
                .setPhase(ImagingPhase.POST)
                .setModality(ImagingModality.RADIOGRAPH)
                .setStudyUid("1.2.840.113619.2.55.3.604688119.969.1709626500.123")
                .setMeasurements(List.of(
                        LevelMeasurement.newBuilder().setLevel(VertebralLevel.T12)
                                .setAnteriorHeightMm(24.0).setMiddleHeightMm(23.1).setPosteriorHeightMm(25.2).setKyphoticAngleDeg(3.0).build(),
                        LevelMeasurement.newBuilder().setLevel(VertebralLevel.L1)
                                .setAnteriorHeightMm(19.5).setMiddleHeightMm(18.0).setPosteriorHeightMm(26.0).setKyphoticAngleDeg(12.5)
                                .setFractured(true).build()))
                .build();
    }

    static FollowUpEvent threeMonthFollowUp() {
        return FollowUpEvent.newBuilder()
                .setEventId("fu-0003")
                .setPatientId(PATIENT)
                .setOccurredAt(Instant.parse("2024-06-03T10:00:00Z"))
                .setRecordedAt(Instant.parse("2024-06-03T10:20:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setPainNrs(3)
                .setOdi(28.0)
                .setRmdq(9)
                .setEq5dIndex(0.712)
                .setComplications(List.of(Complication.newBuilder()
                        .setType(ComplicationType.CEMENT_LEAKAGE).setLevel(VertebralLevel.L1).setSite(LeakageSite.DISC)
                        .setSymptomatic(false).setDate(LocalDate.of(2024, 3, 4)).build()))
                .setMedications(List.of(MedicationStart.newBuilder()
                        .setMedicationClass(MedicationClass.BISPHOSPHONATE).setStartDate(LocalDate.of(2024, 3, 18)).build()))
                .build();
    }
}
