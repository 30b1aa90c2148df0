package org.spineoutcomes.producer.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.validation.ReasonCode;

class SpinePublisherTest {
    private static FollowUpEvent followUp(String id, int pain) {
        return FollowUpEvent.newBuilder().setEventId(id).setPatientId("MRN-778899")
                .setOccurredAt(Instant.parse("2024-04-01T09:00:00Z")).setRecordedAt(Instant.parse("2024-04-01T10:00:00Z"))
                .setSourceSystem("test").setPainNrs(pain).build();
    }

    private static String expectedPseudonym(String mrn) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(MockPublishers.KEY, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(mrn.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void validEventIsSentKeyedByPseudonymWithThePseudonymAsPatientId() throws Exception {
        MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
        FollowUpEvent input = followUp("fu-1", 4);
        try (SpinePublisher publisher = MockPublishers.publisher(producer)) {
            PublishResult result = publisher.publish(input).get();
            String pseudonym = expectedPseudonym("MRN-778899");
            assertEquals(new PublishResult("fu-1", "spine.followups.v1", 0, 0, pseudonym), result);
            ProducerRecord<String, SpecificRecord> sent = producer.history().get(0);
            assertEquals("spine.followups.v1", sent.topic());
            assertEquals(pseudonym, sent.key());
            assertEquals(pseudonym, ((FollowUpEvent) sent.value()).getPatientId());
            assertEquals(0, sent.headers().toArray().length, "no headers at all");
            assertFalse(sent.value().toString().contains("MRN-778899"));
            assertEquals("MRN-778899", input.getPatientId(), "the caller's event is not modified");
            assertEquals(1, publisher.counters().sentCount());
        }
        assertTrue(producer.closed(), "close() closes the producer");
    }

    @Test
    void invalidEventCompletesExceptionallyAndSendsNothing() {
        MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
        try (SpinePublisher publisher = MockPublishers.publisher(producer)) {
            CompletableFuture<PublishResult> f = publisher.publish(followUp("fu-2", 11));
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            RejectedEventException rejected = assertInstanceOf(RejectedEventException.class, e.getCause());
            assertEquals("fu-2", rejected.eventId());
            assertEquals(ReasonCode.INVALID_PAIN_NRS, rejected.reason());
            assertEquals("painNrs", rejected.violations().get(0).field());
            assertFalse(rejected.getMessage().contains("MRN-778899"));
            assertEquals(List.of(), producer.history());
            assertEquals(Map.of(ReasonCode.INVALID_PAIN_NRS, 1L), publisher.counters().rejectedByReason());
            assertEquals(0, publisher.counters().sentCount());
        }
    }

    @Test
    void blankMrnIsRejectedAsMissingId() {
        MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
        try (SpinePublisher publisher = MockPublishers.publisher(producer)) {
            FollowUpEvent noPatient = FollowUpEvent.newBuilder(followUp("fu-3", 5)).setPatientId(" ").build();
            RejectedEventException e = assertThrows(RejectedEventException.class, () -> publisher.prepare(noPatient));
            assertEquals(ReasonCode.MISSING_ID, e.reason());
            assertEquals("patientId", e.violations().get(0).field());
            assertEquals(List.of(), producer.history());
        }
    }

    @Test
    void anMrnOfInvisibleCharactersOrAMegabyteIsRejectedBeforeItIsPseudonymised() {
        MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
        try (SpinePublisher publisher = MockPublishers.publisher(producer)) {
            for (String mrn : List.of("\u200b", "\ufeff", "\u00a0", "MRN-1\u0000", " MRN-1")) {
                FollowUpEvent e = FollowUpEvent.newBuilder(followUp("fu-5", 5)).setPatientId(mrn).build();
                RejectedEventException r = assertThrows(RejectedEventException.class, () -> publisher.prepare(e), mrn);
                assertEquals(ReasonCode.INVALID_IDENTIFIER, r.reason(), mrn);
                assertEquals("patientId", r.violations().get(0).field());
            }
            FollowUpEvent huge = FollowUpEvent.newBuilder(followUp("fu-6", 5)).setPatientId("M".repeat(1_000_000)).build();
            RejectedEventException r = assertThrows(RejectedEventException.class, () -> publisher.prepare(huge));
            assertEquals(ReasonCode.FIELD_TOO_LONG, r.reason());
            assertTrue(r.getMessage().length() < 1000, "short message");
            assertEquals(List.of(), producer.history());
        }
    }

    @Test
    void schemasAreNotRegisteredUnlessAskedAndThenTheSubjectsAreBackwardFirst() {
        FollowUpEvent event = followUp("fu-7", 5);
        org.spineoutcomes.serde.InMemorySchemaRegistryClient registry = new org.spineoutcomes.serde.InMemorySchemaRegistryClient();
        SpinePublisher.Builder production = SpinePublisher.builder().bootstrapServers("unused:9092").registryClient(registry);
        org.apache.kafka.common.errors.SerializationException notThere = assertThrows(org.apache.kafka.common.errors.SerializationException.class,
                () -> production.valueSerializer().serialize("spine.followups.v1", event));
        assertTrue(notThere.getMessage().contains("auto.register.schemas is false"), notThere.getMessage());
        assertEquals(List.of(), registry.getAllSubjects(), "nothing registered");
        assertEquals(java.util.Optional.empty(), registry.getCompatibility("spine.followups.v1-value"));

        SpinePublisher.Builder simulator = SpinePublisher.builder().bootstrapServers("unused:9092").registryClient(registry).autoRegisterSchemas(true);
        byte[] bytes = simulator.valueSerializer().serialize("spine.followups.v1", event);
        assertEquals(registry.getId("spine.followups.v1-value", FollowUpEvent.getClassSchema()), java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt());
        for (String subject : List.of("spine.procedures.v1-value", "spine.imaging.v1-value", "spine.followups.v1-value")) {
            assertEquals(java.util.Optional.of("BACKWARD"), registry.getCompatibility(subject), subject);
        }
        // now registered, a production publisher finds the id without registering anything
        assertEquals(bytes.length, production.valueSerializer().serialize("spine.followups.v1", event).length);
        // a level an operator chose is kept
        registry.setCompatibility("spine.imaging.v1-value", "FULL_TRANSITIVE");
        simulator.valueSerializer();
        assertEquals(java.util.Optional.of("FULL_TRANSITIVE"), registry.getCompatibility("spine.imaging.v1-value"));
    }

    @Test
    void brokerFailureCompletesTheFutureExceptionallyAndIsCounted() {
        MockProducer<String, SpecificRecord> producer = new MockProducer<>(false, null,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.spineoutcomes.serde.SpineAvroSerializer<>(new org.spineoutcomes.serde.InMemorySchemaRegistryClient()));
        SpinePublisher publisher = MockPublishers.publisher(producer);
        CompletableFuture<PublishResult> f = publisher.publish(followUp("fu-4", 5));
        assertTrue(producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker unreachable")));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertEquals("broker unreachable", e.getCause().getMessage());
        assertEquals(1, publisher.counters().failedCount());
    }
}
