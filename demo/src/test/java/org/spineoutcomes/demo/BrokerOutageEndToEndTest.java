package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.demo.AppCalls.awaitStatus;
import static org.spineoutcomes.demo.AppCalls.awaitTrue;
import static org.spineoutcomes.demo.AppCalls.get;
import static org.spineoutcomes.demo.AppCalls.seconds;
import static org.spineoutcomes.demo.StackOutputs.metric;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.runtime.SpineRuntime;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;

/**
 * The broker alone stopped under a running app (issue 11, item 2), on the real local stack: the app (in this
 * JVM, as {@code ./spine run} runs it) has processed a first half of a cohort; the broker stops for
 * {@link #OUTAGE} while a producer keeps sending the second half (its sends wait for the broker). During the outage
 * {@code /ready} answers 503 with the reason naming the unreachable brokers, while {@code /health} stays 200
 * (the process is alive: a liveness probe must not kill it). When the broker is back the app becomes ready
 * again by itself, consumes the second half, dead-letters nothing, and the final result topics equal the batch.
 * Its own stack: stopping the broker must not disturb the other tests'.
 */
class BrokerOutageEndToEndTest {
    private static final int PATIENTS = 400;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    void brokerStoppedMidRun_readyReportsIt_healthStaysUp_appResumesAlone_outputsEqualTheBatch() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            List<SpecificRecord> events = StackOutputs.simulatedCohort(PATIENTS, 37);
            List<SpecificRecord> firstHalf = events.subList(0, events.size() / 2);
            List<SpecificRecord> secondHalf = events.subList(events.size() / 2, events.size());
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            // Registered before the app starts (which registers its own output schemas), as a deployment does.
            for (EventType type : EventType.values()) registry.register(type.topic().valueSubject().orElseThrow(), type.schema());

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000"); // outlives the outage: records wait in the producer
            pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
            SpineRuntime runtime = SpineRuntime.start(AppCalls.runtimeConfig(stack, "broker-outage-e2e"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(pp, new StringSerializer(), new SpineAvroSerializer<>(registry))) {
                URI ready = runtime.baseUri().resolve("/ready");
                URI health = runtime.baseUri().resolve("/health");
                send(producer, firstHalf);
                producer.flush();
                awaitStatus(ready, 200, Duration.ofMinutes(3));
                awaitTrue("the first half consumed", () -> metric(runtime.app(), "records-in-total") == firstHalf.size(), Duration.ofMinutes(3));

                stack.broker().stop();
                long down = System.nanoTime();
                // A producer of the hospital keeps sending: its sends block on metadata while the broker is away.
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(producer, secondHalf));
                HttpResponse<String> notReady = awaitStatus(ready, 503, Duration.ofSeconds(30));
                long reported = System.nanoTime();
                assertTrue(notReady.body().contains("\"reason\":\"no Kafka broker answers at " + stack.bootstrapServers()), notReady.body());
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
                HttpResponse<String> alive = get(health);
                assertEquals(200, alive.statusCode(), "the process is alive during the outage: " + alive.body());
                assertEquals(503, get(ready).statusCode(), "still not ready while the broker is down");

                stack.broker().restart();
                long up = System.nanoTime();
                sending.get(3, TimeUnit.MINUTES);
                producer.flush();
                awaitStatus(ready, 200, Duration.ofMinutes(3));
                long readyAgain = System.nanoTime();
                awaitTrue("every record consumed", () -> metric(runtime.app(), "records-in-total") == events.size(), Duration.ofMinutes(5));
                long caughtUp = System.nanoTime();
                StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(5));

                assertEquals(0, metric(runtime.app(), "records-rejected-total"));
                assertEquals(List.of(), StackOutputs.readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records());
                StackOutputs.assertFinalsEqualBatch(stack, registry, events, PATIENTS);
                System.out.printf("broker outage: down %.1f s, /ready 503 after %.1f s, ready again %.1f s after the restart, "
                                + "all %d records consumed %.1f s after it%n", seconds(down, up), seconds(down, reported),
                        seconds(up, readyAgain), events.size(), seconds(up, caughtUp));
            } finally {
                runtime.close();
            }
        }
    }


    private static void send(KafkaProducer<String, SpecificRecord> producer, List<SpecificRecord> events) {
        for (SpecificRecord e : events) {
            producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
        }
    }




}
