package org.spineoutcomes.producer.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.producer.publish.MockPublishers;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;

class FhirGatewayTest {
    private static String sample;
    /** Receive time of the requests: recordedAt of the sample's resources, which have no meta.lastUpdated. */
    private static final Instant RECEIVED = Instant.parse("2026-11-25T12:00:00Z");
    private final MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
    private final FhirGateway gateway = gatewayReceivingAt(RECEIVED);

    private FhirGateway gatewayReceivingAt(Instant receivedAt) {
        return new FhirGateway(MockPublishers.publisher(producer), "fhir-test", Duration.ofSeconds(5), Clock.fixed(receivedAt, ZoneOffset.UTC));
    }

    @BeforeAll
    static void load() throws Exception {
        sample = Files.readString(Path.of("..", "samples", "fhir", "bundle.json"));
    }

    private static List<OperationOutcome.OperationOutcomeIssueComponent> errors(FhirGateway.Response r) {
        return r.outcome().getIssue().stream().filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR).toList();
    }

    private static String reason(OperationOutcome.OperationOutcomeIssueComponent issue) {
        return issue.getDetails().getCodingFirstRep().getCode();
    }

    private static String expression(OperationOutcome.OperationOutcomeIssueComponent issue) {
        return issue.getExpression().isEmpty() ? null : issue.getExpression().get(0).getValue();
    }

    @Test
    void theSampleBundlePassesAndMapsToSixEvents() {
        FhirGateway.Response r = gateway.handle(sample);
        assertEquals(200, r.status(), r.json());
        assertEquals(List.of(), errors(r));
        // Procedure, 2 assessments (pain + ODI grouped per instant), 2 imaging studies, 1 medication statement
        Map<String, Long> perTopic = producer.history().stream().collect(Collectors.groupingBy(ProducerRecord::topic, Collectors.counting()));
        assertEquals(Map.of("spine.procedures.v1", 1L, "spine.followups.v1", 3L, "spine.imaging.v1", 2L), perTopic);

        ProcedureEvent procedure = (ProcedureEvent) producer.history().stream().filter(p -> p.value() instanceof ProcedureEvent).findFirst().orElseThrow().value();
        assertEquals(List.of("22514"), procedure.getCodes());
        assertEquals(List.of(VertebralLevel.L1), procedure.getLevels());
        assertEquals(java.time.Instant.parse("2024-03-05T09:30:00Z"), procedure.getOccurredAt()); // 10:30+01:00
        assertEquals(75, procedure.getAgeYears()); // born 1948-05-17, treated 2024-03-05: 75 years
        assertEquals(Sex.F, procedure.getSex());
        assertEquals(4.5, procedure.getCementVolumeMl());
        assertEquals("hospital-a/epic", procedure.getSourceSystem());

        FollowUpEvent baseline = producer.history().stream().map(ProducerRecord::value).filter(v -> v instanceof FollowUpEvent f
                && f.getPainNrs() != null && f.getPainNrs() == 8).map(v -> (FollowUpEvent) v).findFirst().orElseThrow();
        assertEquals(56.0, baseline.getOdi(), "ODI of the same instant lands on the same assessment");

        ImagingEvent pre = producer.history().stream().map(ProducerRecord::value).filter(v -> v instanceof ImagingEvent i
                && i.getPhase() == ImagingPhase.PRE).map(v -> (ImagingEvent) v).findFirst().orElseThrow();
        assertEquals(3, pre.getMeasurements().size());
        assertEquals(15.2, pre.getMeasurements().get(1).getAnteriorHeightMm());
        assertTrue(pre.getMeasurements().get(1).getFractured());
        assertEquals("2.25.1001", pre.getStudyUid());

        for (ProducerRecord<String, SpecificRecord> rec : producer.history()) {
            assertFalse(rec.key().contains("DEMO-MRN-0042") || rec.value().toString().contains("DEMO-MRN-0042"), "MRN leaked");
            assertEquals(rec.key(), rec.value().get(1).toString(), "key = patientId = pseudonym");
        }
    }

    @Test
    void resendingTheSampleLaterRepeatsItsEventIdsAsNewerVersions() {
        gateway.handle(sample);
        gatewayReceivingAt(RECEIVED.plusSeconds(60)).handle(sample);
        List<ProducerRecord<String, SpecificRecord>> h = producer.history();
        assertEquals(12, h.size());
        for (int i = 0; i < 6; i++) {
            SpecificRecord first = h.get(i).value();
            SpecificRecord again = h.get(i + 6).value();
            assertEquals(field(first, "eventId"), field(again, "eventId"), "same resources, same event ids");
            assertEquals(RECEIVED, field(first, "recordedAt"), "no meta.lastUpdated: recordedAt is the receive time");
            assertEquals(RECEIVED.plusSeconds(60), field(again, "recordedAt"), "the later submission is the newer version (R9)");
            SpecificRecord againAtFirstTime = SpecificData.getForSchema(again.getSchema()).deepCopy(again.getSchema(), again);
            againAtFirstTime.put(again.getSchema().getField("recordedAt").pos(), RECEIVED);
            // compared as text: Avro's generated equals cannot compare logical types inside arrays
            assertEquals(first.toString(), againAtFirstTime.toString(), "nothing else differs");
        }
    }

    private static Object field(SpecificRecord record, String name) {
        return record.get(record.getSchema().getField(name).pos());
    }

    @Test
    void badJsonIs400Undecodable() {
        FhirGateway.Response r = gateway.handle("{\"resourceType\": \"Bundle\", ");
        assertEquals(400, r.status());
        assertEquals("UNDECODABLE", reason(errors(r).get(0)));
        assertEquals(List.of(), producer.history());
    }

    @Test
    void wrongJsonTypeIsRejectedNamingTheElement() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"valueInteger\": 8", "\"valueInteger\": \"eight\""));
        assertEquals(400, r.status());
        String diagnostics = errors(r).get(0).getDiagnostics();
        assertTrue(diagnostics.contains("eight") && diagnostics.contains("valueInteger"), diagnostics);
        assertEquals(List.of(), producer.history());
    }

    @Test
    void missingPerformedDateTimeRejectsTheTransaction() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"performedDateTime\": \"2024-03-05T10:30:00+01:00\",", ""));
        assertEquals(422, r.status(), r.json());
        assertEquals(1, errors(r).size());
        assertEquals("MISSING_FIELD", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[1].resource.performed", expression(errors(r).get(0)));
        assertEquals(List.of(), producer.history(), "transaction: nothing sent");
    }

    @Test
    void unknownCptCodeIsUnknownCode() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"code\": \"22514\"", "\"code\": \"99213\""));
        assertEquals(422, r.status());
        assertEquals("UNKNOWN_CODE", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[1].resource.code", expression(errors(r).get(0)));
        assertTrue(errors(r).get(0).getDiagnostics().contains("http://www.ama-assn.org/go/cpt|99213"));
        assertEquals(List.of(), producer.history());
    }

    @Test
    void outOfRangePainIsRejectedByTheSharedValidatorAtTheObservationValue() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"valueInteger\": 8", "\"valueInteger\": 11"));
        assertEquals(422, r.status());
        assertEquals("INVALID_PAIN_NRS", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[2].resource.value", expression(errors(r).get(0)));
        assertEquals(List.of(), producer.history());
    }

    @Test
    void heightOutOfRangeIsReportedAtItsComponent() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"value\": 15.2", "\"value\": 75"));
        assertEquals(422, r.status());
        assertEquals("INVALID_HEIGHT", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[8].resource.component[0].value", expression(errors(r).get(0)));
    }

    @Test
    void timestampWithoutOffsetIsRejected() {
        FhirGateway.Response r = gateway.handle(sample.replace("2024-03-05T10:30:00+01:00", "2024-03-05T10:30:00"));
        assertEquals(422, r.status());
        assertEquals("INVALID_TIMESTAMP", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[1].resource.performed", expression(errors(r).get(0)));
    }

    @Test
    void unknownVertebraCodeIsInvalidLevel() {
        FhirGateway.Response r = gateway.handle(sample.replaceFirst("\"code\": \"66794005\"", "\"code\": \"87391001\"")); // C7
        assertEquals(422, r.status());
        assertEquals("INVALID_LEVEL", reason(errors(r).get(0)));
        assertEquals("Bundle.entry[1].resource.bodySite[0]", expression(errors(r).get(0)));
    }

    @Test
    void aBatchSendsTheValidEntriesAndRejectsTheOthers() {
        FhirGateway.Response r = gateway.handle(sample.replace("\"type\": \"transaction\"", "\"type\": \"batch\"")
                .replace("\"valueInteger\": 3", "\"valueInteger\": 12"));
        assertEquals(422, r.status());
        assertEquals("Bundle.entry[4].resource.value", expression(errors(r).get(0)));
        assertEquals(5, producer.history().size(), "six events minus the rejected 1-month assessment");
    }
}
