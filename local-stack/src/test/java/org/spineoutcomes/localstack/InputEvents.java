package org.spineoutcomes.localstack;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * One plausible event of each input type, for a fresh random patient pseudonym so tests sharing
 * the stack never read each other's records: a vertebroplasty at T12, its pre-operative
 * radiograph and a 1-month follow-up.
 */
final class InputEvents {
    private InputEvents() {}

    /** An input topic, its record class, and an event to send on it. */
    record Case<T extends SpecificRecord>(SpineTopic<String, T> topic, Class<T> type, T event) {
        String key() {
            return (String) event.get(event.getSchema().getField("patientId").pos());
        }

        @Override
        public String toString() {
            return type.getSimpleName() + " on " + topic.name();
        }
    }

    static String newPatient() {
        // Pseudonyms are 64 hex characters (SHA-256); two random UUIDs give the same shape.
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    static List<Case<?>> all() {
        return List.of(procedureCase(), imagingCase(), followUpCase());
    }

    static Case<ProcedureEvent> procedureCase() {
        String patient = newPatient();
        return new Case<>(Topics.PROCEDURES, ProcedureEvent.class, ProcedureEvent.newBuilder()
                .setEventId("it-proc-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-01-14T13:05:00Z"))
                .setRecordedAt(Instant.parse("2025-01-14T15:47:21.125Z"))
                .setSourceSystem("it-hospital/ris")
                .setCodes(List.of("22510"))
                .setLevels(List.of(VertebralLevel.T12))
                .setCementVolumeMl(3.2)
                .setAgeYears(81)
                .setSex(Sex.M)
                .setFractureOnsetDate(LocalDate.of(2025, 1, 2))
                .build());
    }

    static Case<ImagingEvent> imagingCase() {
        String patient = newPatient();
        return new Case<>(Topics.IMAGING, ImagingEvent.class, ImagingEvent.newBuilder()
                .setEventId("it-img-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-01-13T09:00:00Z"))
                .setRecordedAt(Instant.parse("2025-01-13T09:31:00Z"))
                .setSourceSystem("it-hospital/pacs")
                .setPhase(ImagingPhase.PRE)
                .setModality(ImagingModality.RADIOGRAPH)
                .setMeasurements(List.of(LevelMeasurement.newBuilder().setLevel(VertebralLevel.T12)
                        .setAnteriorHeightMm(16.5).setMiddleHeightMm(17.0).setPosteriorHeightMm(27.5)
                        .setKyphoticAngleDeg(14.0).setFractured(true).build()))
                .build());
    }

    static Case<FollowUpEvent> followUpCase() {
        String patient = newPatient();
        return new Case<>(Topics.FOLLOWUPS, FollowUpEvent.class, FollowUpEvent.newBuilder()
                .setEventId("it-fu-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-02-14T10:30:00Z"))
                .setRecordedAt(Instant.parse("2025-02-14T10:41:00Z"))
                .setSourceSystem("it-hospital/epic")
                .setPainNrs(2)
                .setOdi(24.0)
                .setRmdq(7)
                .setEq5dIndex(0.768)
                .build());
    }
}
