package org.spineoutcomes.producer.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.producer.publish.MockPublishers;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;

/** Re-sends (R9) and retractions (R10) of FHIR resources: updated in place, entered-in-error, deleted. */
class FhirResendAndRetractionTest {
    private static final String MRN = "MRN-0077";
    private static final String PSEUDONYM = new Pseudonymiser(MockPublishers.KEY).pseudonymise(MRN);
    private static final Instant RECEIVED = Instant.parse("2026-11-25T12:00:00Z");

    private final MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
    private final FhirGateway gateway = gatewayReceivingAt(RECEIVED);

    private FhirGateway gatewayReceivingAt(Instant receivedAt) {
        return new FhirGateway(MockPublishers.publisher(producer), "fhir-test", Duration.ofSeconds(5), Clock.fixed(receivedAt, ZoneOffset.UTC));
    }

    @AfterEach
    void noMrnIsPublished() {
        for (ProducerRecord<String, SpecificRecord> r : producer.history()) {
            assertEquals(PSEUDONYM, r.key());
            assertFalse(r.value().toString().contains(MRN), "MRN leaked: " + r.value());
        }
    }

    // ---- resources --------------------------------------------------------------------------

    private static String meta(String lastUpdated) {
        return lastUpdated == null ? "" : "\"meta\": {\"lastUpdated\": \"" + lastUpdated + "\"},";
    }

    private static String procedure(String id, String status, String lastUpdated, double cementMl) {
        return """
                {"resourceType": "Procedure", "id": "%s", %s "status": "%s",
                 "extension": [{"url": "https://spineoutcomes.org/fhir/StructureDefinition/cement-volume",
                                "valueQuantity": {"value": %s, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"}}],
                 "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "22513"}]},
                 "subject": {"identifier": {"value": "%s"}},
                 "performedDateTime": "2026-10-01T10:30:00+02:00",
                 "bodySite": [{"coding": [{"system": "http://snomed.info/sct", "code": "23215003"}]}]}
                """.formatted(id, meta(lastUpdated), status, cementMl, MRN);
    }

    /** An entered-in-error Procedure keeping only what a retraction needs: id and subject. */
    private static String procedureEnteredInError(String id, String lastUpdated) {
        return """
                {"resourceType": "Procedure", "id": "%s", %s "status": "entered-in-error",
                 "subject": {"identifier": {"value": "%s"}}}
                """.formatted(id, meta(lastUpdated), MRN);
    }

    private static String observation(String id, String status, String loinc, String value, String lastUpdated) {
        return """
                {"resourceType": "Observation", "id": "%s", %s "status": "%s",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]},
                 "subject": {"identifier": {"value": "%s"}},
                 "effectiveDateTime": "2026-10-31T09:00:00+01:00",
                 %s}
                """.formatted(id, meta(lastUpdated), status, loinc, MRN, value);
    }

    private static String pain(String id, String status, int nrs, String lastUpdated) {
        return observation(id, status, FhirProfile.LOINC_PAIN_NRS, "\"valueInteger\": " + nrs, lastUpdated);
    }

    private static String odi(String id, String status, double percent, String lastUpdated) {
        return observation(id, status, FhirProfile.LOINC_ODI,
                "\"valueQuantity\": {\"value\": " + percent + ", \"unit\": \"%\", \"system\": \"http://unitsofmeasure.org\", \"code\": \"%\"}", lastUpdated);
    }

    private static String batch(String... resources) {
        StringBuilder b = new StringBuilder("{\"resourceType\": \"Bundle\", \"type\": \"batch\", \"entry\": [");
        for (int i = 0; i < resources.length; i++) b.append(i == 0 ? "" : ",").append("{\"resource\": ").append(resources[i]).append('}');
        return b.append("]}").toString();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private SpecificRecord published(int index) {
        return producer.history().get(index).value();
    }

    private String topic(int index) {
        return producer.history().get(index).topic();
    }

    private static void assertAccepted(FhirGateway.Response r) {
        assertEquals(200, r.status(), r.json());
    }

    private static List<OperationOutcome.OperationOutcomeIssueComponent> errors(FhirGateway.Response r) {
        return r.outcome().getIssue().stream().filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR).toList();
    }

    // ---- R9: updated in place ---------------------------------------------------------------

    @Test
    void anUpdateInPlaceIsPublishedUnderTheSameEventIdWithTheNewLastUpdatedAsRecordedAt() {
        assertAccepted(gateway.handle(procedure("p-17", "completed", "2026-11-20T08:00:00+01:00", 4.5)));
        assertAccepted(gateway.handle(procedure("p-17", "completed", "2026-11-21T09:15:30.250+01:00", 6.0)));

        ProcedureEvent first = (ProcedureEvent) published(0);
        ProcedureEvent update = (ProcedureEvent) published(1);
        assertEquals("fhir:Procedure/p-17", first.getEventId());
        assertEquals(Instant.parse("2026-11-20T07:00:00Z"), first.getRecordedAt());
        assertEquals("fhir:Procedure/p-17", update.getEventId(), "same resource id: a re-send of the same event");
        assertEquals(Instant.parse("2026-11-21T08:15:30.250Z"), update.getRecordedAt(), "recordedAt = the new meta.lastUpdated");
        assertEquals(6.0, update.getCementVolumeMl());
        assertNull(update.getCorrects());
        assertNull(update.getRetracts());
        assertEquals(PSEUDONYM, update.getPatientId());
    }

    @Test
    void aRetryOfTheSameVersionRepeatsTheEventExactlyWhateverTheReceiveTime() {
        String version = procedure("p-17", "completed", "2026-11-20T08:00:00+01:00", 4.5);
        assertAccepted(gateway.handle(version));
        assertAccepted(gatewayReceivingAt(RECEIVED.plusSeconds(3600)).handle(version));
        assertEquals(published(0), published(1), "identical: downstream ignores it as a duplicate (R9)");
    }

    @Test
    void withoutLastUpdatedRecordedAtIsTheReceiveTimeInMilliseconds() {
        assertAccepted(gateway.handle(procedure("p-17", "completed", null, 4.5)));
        assertAccepted(gatewayReceivingAt(Instant.parse("2026-11-25T12:01:30.123456789Z")).handle(procedure("p-17", "completed", null, 6.0)));

        ProcedureEvent first = (ProcedureEvent) published(0);
        ProcedureEvent later = (ProcedureEvent) published(1);
        assertEquals("fhir:Procedure/p-17", first.getEventId());
        assertEquals(RECEIVED, first.getRecordedAt());
        assertEquals("fhir:Procedure/p-17", later.getEventId());
        assertEquals(Instant.parse("2026-11-25T12:01:30.123Z"), later.getRecordedAt(), "the later submission wins (R9)");
    }

    @Test
    void anAssessmentIsAsNewAsItsLatestObservation() {
        assertAccepted(gateway.handle(batch(pain("o-5", "final", 7, "2026-11-02T10:00:00Z"), odi("o-6", "amended", 40, "2026-11-03T10:00:00Z"))));
        FollowUpEvent assessment = (FollowUpEvent) published(0);
        assertEquals("fhir:Observation/o-5+o-6", assessment.getEventId());
        assertEquals(Instant.parse("2026-11-03T10:00:00Z"), assessment.getRecordedAt());
    }

    // ---- R10: entered-in-error --------------------------------------------------------------

    @Test
    void anEnteredInErrorProcedureRetractsItsEvent() {
        assertAccepted(gateway.handle(procedure("p-17", "completed", "2026-11-20T08:00:00+01:00", 4.5)));
        FhirGateway.Response r = gateway.handle(procedureEnteredInError("p-17", "2026-11-22T10:00:00Z"));
        assertAccepted(r);

        assertEquals(2, producer.history().size());
        assertEquals("spine.procedures.v1", topic(1));
        ProcedureEvent retraction = (ProcedureEvent) published(1);
        assertEquals("retract:fhir:Procedure/p-17", retraction.getEventId());
        assertEquals(((ProcedureEvent) published(0)).getEventId(), retraction.getRetracts());
        assertNull(retraction.getCorrects());
        assertEquals(PSEUDONYM, retraction.getPatientId(), "the patient of the original");
        assertEquals(Instant.parse("2026-11-22T10:00:00Z"), retraction.getRecordedAt());
        assertTrue(r.outcome().getIssueFirstRep().getDiagnostics().contains("retracts fhir:Procedure/p-17"), r.json());
    }

    @Test
    void anEnteredInErrorObservationRetractsItsAssessment() {
        assertAccepted(gateway.handle(pain("o-5", "final", 7, "2026-11-02T10:00:00Z")));
        assertAccepted(gateway.handle(pain("o-5", "entered-in-error", 7, "2026-11-04T10:00:00Z")));

        assertEquals("spine.followups.v1", topic(1));
        FollowUpEvent retraction = (FollowUpEvent) published(1);
        assertEquals("retract:fhir:Observation/o-5", retraction.getEventId());
        assertEquals("fhir:Observation/o-5", retraction.getRetracts());
        assertEquals(((FollowUpEvent) published(0)).getEventId(), retraction.getRetracts());
        assertEquals(PSEUDONYM, retraction.getPatientId());
        assertEquals(Instant.parse("2026-11-04T10:00:00Z"), retraction.getRecordedAt());
        assertNull(retraction.getPainNrs(), "a retraction carries no payload");
    }

    @Test
    void anAssessmentIsRetractedWhenAllItsObservationsAreEnteredInError() {
        assertAccepted(gateway.handle(batch(odi("o-6", "entered-in-error", 40, null), pain("o-5", "entered-in-error", 7, null))));
        FollowUpEvent retraction = (FollowUpEvent) published(0);
        assertEquals("retract:fhir:Observation/o-5+o-6", retraction.getEventId());
        assertEquals("fhir:Observation/o-5+o-6", retraction.getRetracts());
    }

    @Test
    void oneScoreEnteredInErrorReSendsTheAssessmentWithoutIt() {
        assertAccepted(gateway.handle(batch(pain("o-5", "entered-in-error", 7, "2026-11-04T10:00:00Z"), odi("o-6", "final", 40, "2026-11-02T10:00:00Z"))));
        FollowUpEvent resend = (FollowUpEvent) published(0);
        assertEquals("fhir:Observation/o-5+o-6", resend.getEventId(), "the same assessment");
        assertEquals(Instant.parse("2026-11-04T10:00:00Z"), resend.getRecordedAt(), "newer than the version it replaces");
        assertNull(resend.getPainNrs());
        assertEquals(40.0, resend.getOdi());
        assertNull(resend.getRetracts());
    }

    @Test
    void anEnteredInErrorImagingStudyRetractsItsEvent() {
        FhirGateway.Response r = gateway.handle("""
                {"resourceType": "ImagingStudy", "id": "s-1", "status": "entered-in-error",
                 "subject": {"identifier": {"value": "%s"}}}
                """.formatted(MRN));
        assertAccepted(r);
        assertEquals("spine.imaging.v1", topic(0));
        ImagingEvent retraction = (ImagingEvent) published(0);
        assertEquals("retract:fhir:ImagingStudy/s-1", retraction.getEventId());
        assertEquals("fhir:ImagingStudy/s-1", retraction.getRetracts());
        assertEquals(RECEIVED, retraction.getRecordedAt());
    }

    @Test
    void anEnteredInErrorResourceWithoutSubjectIsRejected() {
        FhirGateway.Response r = gateway.handle("{\"resourceType\": \"Procedure\", \"id\": \"p-17\", \"status\": \"entered-in-error\"}");
        assertEquals(422, r.status());
        assertEquals("Procedure.subject", errors(r).get(0).getExpression().get(0).getValue());
        assertEquals(List.of(), producer.history());
    }

    // ---- R10: DELETE ------------------------------------------------------------------------

    @Test
    void aDeleteNamingThePatientRetractsTheResourcesEvent() {
        assertAccepted(gateway.handle(procedure("p-17", "completed", "2026-11-20T08:00:00+01:00", 4.5)));
        FhirGateway.Response r = gateway.delete("Procedure", "p-17", Map.of("subject", List.of(MRN)));
        assertAccepted(r);

        assertEquals("spine.procedures.v1", topic(1));
        ProcedureEvent retraction = (ProcedureEvent) published(1);
        assertEquals("retract:fhir:Procedure/p-17", retraction.getEventId());
        assertEquals(((ProcedureEvent) published(0)).getEventId(), retraction.getRetracts());
        assertEquals(PSEUDONYM, retraction.getPatientId());
        assertEquals(RECEIVED, retraction.getRecordedAt(), "a delete is recorded when received");
        assertEquals(RECEIVED, retraction.getOccurredAt());
        assertEquals("fhir-test", retraction.getSourceSystem());
    }

    @Test
    void aDeleteAndAnEnteredInErrorVersionPublishTheSameRetractionEvent() {
        assertAccepted(gateway.delete("Procedure", "p-17", Map.of("patient", List.of(MRN))));
        assertAccepted(gateway.handle(procedureEnteredInError("p-17", null)));
        assertEquals(published(0), published(1));
    }

    @Test
    void aDeleteOfAnAssessmentNamesItsObservationsInAnyOrder() {
        assertAccepted(gateway.delete("Observation", "o-6+o-5", Map.of("patient", List.of(MRN))));
        FollowUpEvent retraction = (FollowUpEvent) published(0);
        assertEquals("spine.followups.v1", topic(0));
        assertEquals("fhir:Observation/o-5+o-6", retraction.getRetracts());
        assertEquals("retract:fhir:Observation/o-5+o-6", retraction.getEventId());
    }

    @Test
    void aDeleteWithoutPatientIs400SayingWhatIsMissing() {
        FhirGateway.Response r = gateway.delete("Procedure", "p-17", Map.of());
        assertEquals(400, r.status());
        OperationOutcome.OperationOutcomeIssueComponent issue = errors(r).get(0);
        assertEquals(OperationOutcome.IssueType.REQUIRED, issue.getCode());
        assertEquals("MISSING_ID", issue.getDetails().getCodingFirstRep().getCode());
        assertTrue(issue.getDiagnostics().contains("DELETE needs the patient of the resource: add ?subject=<MRN> (or ?patient=<MRN>)"),
                issue.getDiagnostics());
        assertEquals(List.of(), producer.history());
    }

    @Test
    void aDeleteWithABlankPatientOrAReferenceIs400() {
        assertEquals(400, gateway.delete("Procedure", "p-17", Map.of("subject", List.of(" "))).status());
        FhirGateway.Response reference = gateway.delete("Procedure", "p-17", Map.of("subject", List.of("Patient/123")));
        assertEquals(400, reference.status());
        assertTrue(errors(reference).get(0).getDiagnostics().contains("give the MRN"), reference.json());
        FhirGateway.Response two = gateway.delete("Procedure", "p-17", Map.of("subject", List.of(MRN), "patient", List.of("MRN-0078")));
        assertEquals(400, two.status());
        assertFalse(two.json().contains(MRN), "the answer does not echo identifiers");
        assertEquals(List.of(), producer.history());
    }

    @Test
    void aDeleteOfAResourceThatIsNoEventIs400() {
        FhirGateway.Response r = gateway.delete("Patient", "pat-1", Map.of("subject", List.of(MRN)));
        assertEquals(400, r.status());
        assertEquals("WRONG_EVENT_TYPE", errors(r).get(0).getDetails().getCodingFirstRep().getCode());
        assertEquals(400, gateway.delete("Procedure", "", Map.of("subject", List.of(MRN))).status());
        assertEquals(400, gateway.delete("Observation", "o-5+", Map.of("subject", List.of(MRN))).status());
        assertEquals(List.of(), producer.history());
    }
}
