package org.spineoutcomes.producer.fhir;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.ProcedureEvent;

/**
 * Retraction events (R10) for resources deleted or marked entered-in-error. Downstream only the ids of
 * a retraction count and its payload is ignored; the record must still be valid for its schema.
 */
final class FhirRetractions {
    private FhirRetractions() {}

    /*
     * The schema requires a phase and a modality on every imaging event. A retraction knows neither
     * (a DELETE carries no resource), so it carries these fixed values, which nothing reads.
     */
    private static final ImagingPhase PLACEHOLDER_PHASE = ImagingPhase.PRE;
    private static final ImagingModality PLACEHOLDER_MODALITY = ImagingModality.RADIOGRAPH;

    /**
     * A retraction of {@code targetEventId}, of the target's type and patient. occurredAt is the
     * retraction's own recordedAt: it happens when it is recorded (the data cut ignores it anyway).
     *
     * @param patientMrn the hospital identifier; the publisher replaces it by the pseudonym
     */
    static SpecificRecord of(EventType type, String targetEventId, String patientMrn, Instant recordedAt, String sourceSystem) {
        String id = FhirEventIds.retractionOf(targetEventId);
        return switch (type) {
            case PROCEDURE -> ProcedureEvent.newBuilder().setEventId(id).setPatientId(patientMrn)
                    .setOccurredAt(recordedAt).setRecordedAt(recordedAt).setSourceSystem(sourceSystem)
                    .setRetracts(targetEventId).build();
            case IMAGING -> ImagingEvent.newBuilder().setEventId(id).setPatientId(patientMrn)
                    .setOccurredAt(recordedAt).setRecordedAt(recordedAt).setSourceSystem(sourceSystem)
                    .setRetracts(targetEventId).setPhase(PLACEHOLDER_PHASE).setModality(PLACEHOLDER_MODALITY).build();
            case FOLLOWUP -> FollowUpEvent.newBuilder().setEventId(id).setPatientId(patientMrn)
                    .setOccurredAt(recordedAt).setRecordedAt(recordedAt).setSourceSystem(sourceSystem)
                    .setRetracts(targetEventId).build();
        };
    }
}
