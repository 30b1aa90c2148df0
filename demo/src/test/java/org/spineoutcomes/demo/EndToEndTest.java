package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.spineoutcomes.demo.StackOutputs.*;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.localstack.LocalStackExtension;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroDeserializer;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topology.HandOnTopics;

/**
 * End to end on the real local stack (KRaft broker + Apicurio registry): a simulated cohort of
 * 2,000 patients (corrections, retractions, duplicates, late and out-of-order events) plus garbage
 * bytes and invalid events is produced; the streams app runs with exactly-once; the final
 * contents of the three output topics equal the batch recomputation over the same events, and
 * every input record is either accepted or dead-lettered with its reason.
 */
@ExtendWith(LocalStackExtension.class)
class EndToEndTest {

    private static final int PATIENTS = 2000;

    @Test
    void streamEqualsBatchAndEveryRecordIsAccounted(LocalStack stack) throws Exception {
        List<SpecificRecord> events = StackOutputs.simulatedCohort(PATIENTS, 7);

        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
        AppConfig config = AppConfig.of(Map.of(
                AppConfig.APPLICATION_ID, "e2e-" + System.nanoTime(),
                AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), "e2e-state").toString(),
                AppConfig.CUT_REFRESH_MS, "500",
                AppConfig.PUBLISH_INTERVAL_MS, "300"));
        try (SpineStreamsApp app = new SpineStreamsApp(config, registry)) {
            app.start();

            int garbage = 0;
            int invalid = 0;
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(pp, new StringSerializer(), new SpineAvroSerializer<>(registry));
                 KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (SpecificRecord e : events) {
                    producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
                }
                for (int i = 0; i < 5; i++) {
                    raw.send(new ProducerRecord<>(Topics.FOLLOWUPS.name(), ("k" + i).getBytes(), ("not avro " + i).getBytes()));
                    garbage++;
                }
                for (int i = 0; i < 5; i++) {
                    FollowUpEvent bad = FollowUpEvent.newBuilder().setEventId("bad-" + i).setPatientId("p-bad-" + i)
                            .setOccurredAt(Instant.parse("2024-01-01T00:00:00Z")).setRecordedAt(Instant.parse("2024-01-01T00:00:00Z"))
                            .setSourceSystem("e2e").setPainNrs(11).build();
                    producer.send(new ProducerRecord<>(Topics.FOLLOWUPS.name(), bad.getPatientId(), bad));
                    invalid++;
                }
            }
            long produced = events.size() + garbage + invalid;

            long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            while (metric(app, "records-in-total") < produced && System.nanoTime() < deadline) Thread.sleep(250);
            assertEquals(produced, metric(app, "records-in-total"), "every produced record consumed");
            waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(8));

            long accepted = metric(app, "records-accepted-total");
            long rejected = metric(app, "records-rejected-total");
            assertEquals(produced, accepted + rejected, "in = accepted + rejected");
            assertEquals(events.size(), accepted);
            assertEquals(garbage + invalid, rejected);

            Map<String, Integer> reasons = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records()) {
                reasons.merge(new String(r.headers().lastHeader(Topics.RejectionHeaders.REASON).value(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            assertEquals(Map.of("UNDECODABLE", garbage, "INVALID_PAIN_NRS", invalid), reasons);

            StackOutputs.assertFinalsEqualBatch(stack, registry, events, PATIENTS);
            assertHandOnTrimmedToTheCellStage(stack, app, config.applicationId());
        }
    }

    /**
     * The split app's hand-on topics are trimmed to the cell stage's committed offsets, and no further: after
     * the run, a trim leaves every partition that received batches starting exactly at the committed offset of
     * the cell stage's group, and each topic lost records that way (the adjusted batches are keyed by
     * population, about three keys, so one of its partitions may never receive any).
     */
    private static void assertHandOnTrimmedToTheCellStage(LocalStack stack, SpineStreamsApp app, String applicationId) throws Exception {
        HandOnTopics handOn = app.handOnTopics().orElseThrow(() -> new AssertionError("the app runs split by default"));
        Map<TopicPartition, Long> trimmed = app.trimHandOnTopics();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(HandOnTopics.cellStageApplicationId(applicationId))
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> earliest = new java.util.HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (String topic : handOn.names()) {
                for (int p = 0; p < handOn.partitions(); p++) {
                    earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = admin.listOffsets(earliest).all().get();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(latest).all().get();
            Map<String, Long> deletedByTopic = new TreeMap<>();
            for (TopicPartition tp : earliest.keySet()) {
                if (end.get(tp).offset() == 0) continue; // no batch went to this partition
                OffsetAndMetadata c = committed.get(tp);
                assertTrue(c != null, "the cell stage committed on " + tp + " (end offset " + end.get(tp).offset() + ")");
                assertEquals(c.offset(), start.get(tp).offset(), "start of " + tp + " = the cell stage's committed offset");
                // (the app's own 30 s round may have trimmed a partition already)
                if (trimmed.containsKey(tp)) assertEquals(c.offset(), trimmed.get(tp), "trimmed " + tp);
                deletedByTopic.merge(tp.topic(), start.get(tp).offset(), Long::sum);
            }
            for (String topic : handOn.names()) {
                assertTrue(deletedByTopic.getOrDefault(topic, 0L) > 0, "records of " + topic + " were deleted: " + deletedByTopic);
            }
        }
    }
}
