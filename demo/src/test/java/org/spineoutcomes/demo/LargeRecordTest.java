package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.demo.StackOutputs.metric;
import static org.spineoutcomes.demo.StackOutputs.produce;
import static org.spineoutcomes.demo.StackOutputs.readAll;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * A record as large as the broker's default limit allows (1,048,400 bytes of garbage on the follow-ups
 * topic) is dead-lettered whole and the partition moves on: its dead letter with headers is over 1 MB,
 * which the dead-letter topic and the app's producer now take (it used to fail the send, replace the
 * thread and come back every 45 s, stalling the valid events behind it). Its own stack.
 */
class LargeRecordTest {

    @Test
    void aOneMegabyteRecordIsDeadLetteredWholeAndTheValidEventsBehindItAreProcessed() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            AppConfig config = AppConfig.of(Map.of(
                    AppConfig.APPLICATION_ID, "large-" + System.nanoTime(),
                    AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                    AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), "large-state").toString()));
            byte[] garbage = new byte[1_048_400];
            new Random(11).nextBytes(garbage);
            garbage[0] = 0; // the Confluent magic byte, so it reads as an unknown schema id plus bytes
            try (SpineStreamsApp app = new SpineStreamsApp(config, registry)) {
                app.start();
                Properties pp = new Properties();
                pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
                pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
                try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                    raw.send(new ProducerRecord<>(Topics.FOLLOWUPS.name(), DEFAULT_PATIENT.getBytes(StandardCharsets.UTF_8), garbage)).get();
                }
                // Same key, so the same partition: behind the large record.
                produce(stack, registry, List.of(vertebroplasty("p1", INDEX), nrs("b", day(-2), 8), nrs("m1", day(30), 3)));
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (metric(app, "records-in-total") < 4 && System.nanoTime() < deadline) Thread.sleep(200);
                assertEquals(4, metric(app, "records-in-total"), "the large record and the three valid events were read");
                assertEquals(3, metric(app, "records-accepted-total"));
                assertEquals(1, metric(app, "records-rejected-total"));
                // The outcome is computed at the patient step's next flush (100 ms) and visible after that commit:
                // wait for it before closing the app (a close right after the read can come first).
                while (readAll(stack, Topics.PATIENT_OUTCOMES.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records().isEmpty()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            }
            List<ConsumerRecord<byte[], byte[]>> dead = readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records();
            assertEquals(1, dead.size());
            assertEquals(1_048_400, dead.get(0).value().length, "the original bytes, whole");
            assertTrue(java.util.Arrays.equals(garbage, dead.get(0).value()));
            assertEquals("UNDECODABLE", new String(dead.get(0).headers().lastHeader(RejectionHeaders.REASON).value(), StandardCharsets.UTF_8));
            assertEquals(1, readAll(stack, Topics.PATIENT_OUTCOMES.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .records().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count(), "the patient's outcome was published");
        }
    }
}
