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
