package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.runtime.SpineRuntime;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.testing.NextSchemaVersion;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * A schema-registry outage on the real stack (KRaft broker, Apicurio registry as a child process),
 * twice: the registry is down when the app starts, and it goes down again mid-run while producers
 * write follow-ups with a next schema version the app has not seen. Both times the app pauses (nothing
 * decoded at start; the records that need the registry held, the rest of the task behind them), says
 * so on /ready, does not replace its thread or dead-letter anything, and resumes where it stopped when
 * the registry is back on the same port with the same data. The final topic contents equal the batch.
 *
 * <p>Its own stack: the registry is stopped and the output topics must hold only this test's records.
 */
class RegistryOutageEndToEndTest {
    private static final int PATIENTS = 600;
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    @Test
    void registryDownAtStartAndMidRun_appPausesAndResumes_outputsEqualTheBatch_nothingDeadLettered() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            List<SpecificRecord> events = StackOutputs.simulatedCohort(PATIENTS, 31);
            int third = events.size() / 3;
            List<SpecificRecord> atStart = events.subList(0, third);
            List<SpecificRecord> beforeMidRun = events.subList(third, 2 * third);
            List<SpecificRecord> duringMidRun = events.subList(2 * third, events.size());
            long nextVersionFollowUps = duringMidRun.stream().filter(e -> e instanceof FollowUpEvent).count();

            // The producers looked their schema ids up before the outages: they keep writing while the registry is down.
            RestSchemaRegistryClient producerRegistry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            for (EventType type : EventType.values()) {
                producerRegistry.register(type.topic().valueSubject().orElseThrow(), type.schema());
            }

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(pp, new StringSerializer(), new SpineAvroSerializer<>(producerRegistry));
                 KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {

                // 1. Down when the app starts.
                stack.registry().stop();
                long firstDown = System.nanoTime();
                send(producer, atStart);
                SpineRuntime runtime = SpineRuntime.start(AppCalls.runtimeConfig(stack, "registry-outage-e2e"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                try {
                    URI ready = runtime.baseUri().resolve("/ready");
                    RegistryGate gate = runtime.app().registryGate();
                    awaitTrue("the app is RUNNING, paused", () -> runtime.state().name().equals("RUNNING") && gate.closed(), Duration.ofMinutes(3));
                    Set<String> threads = threadNames(runtime);
                    HttpResponse<String> paused = get(ready);
                    assertEquals(503, paused.statusCode(), paused.body());
                    assertTrue(paused.body().contains("\"reason\":\"processing is paused since ")
                            && paused.body().contains("the schema registry could not be asked while resolving the schemas of the topics at start"),
                            paused.body());
                    Thread.sleep(OUTAGE.toMillis());
                    // Nothing decoded while paused. (A stream thread may read a first batch before the pause
                    // takes effect, when it runs before the whole instance does: those records are held.)
                    long heldAtStart = metric(runtime.app(), "records-held-total");
                    assertEquals(heldAtStart, metric(runtime.app(), "records-in-total"), "what was read while paused is held");
                    assertEquals(0, metric(runtime.app(), "records-accepted-total"));
                    assertEquals(0, metric(runtime.app(), "records-rejected-total"));

                    stack.registry().restart();
                    long firstUp = System.nanoTime();
                    awaitStatus(ready, 200, Duration.ofMinutes(2));
                    long firstReady = System.nanoTime();
                    awaitTrue("the records sent during the outage are consumed",
                            () -> metric(runtime.app(), "records-in-total") == atStart.size(), Duration.ofMinutes(5));
                    long firstCaughtUp = System.nanoTime();

                    // 2. Down mid-run: the app is working on the second third when the registry stops, and the
                    //    third third carries follow-ups of a schema version the app has to fetch.
                    // (later than the gate's flap window after the first recovery: a new outage, not the same one again)
                    Thread.sleep(Math.max(0, RegistryGate.FLAP_WINDOW.toMillis() - (System.nanoTime() - firstReady) / 1_000_000 + 500));
                    send(producer, beforeMidRun);
                    awaitTrue("the app works on the second third", () -> metric(runtime.app(), "records-in-total") > atStart.size(), Duration.ofMinutes(2));
                    // A producer registers the next follow-up version (the app resolved the latest versions at its start).
                    int nextFollowUpVersion = producerRegistry.register(Topics.FOLLOWUPS.valueSubject().orElseThrow(),
                            NextSchemaVersion.of(FollowUpEvent.getClassSchema()));
                    stack.registry().stop();
                    long secondDown = System.nanoTime();
                    for (SpecificRecord e : duringMidRun) {
                        if (e instanceof FollowUpEvent f) {
                            raw.send(new ProducerRecord<>(Topics.FOLLOWUPS.name(), f.getPatientId().getBytes(StandardCharsets.UTF_8),
                                    NextSchemaVersion.wireBytes(nextFollowUpVersion, f)));
                        } else {
                            producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
                        }
                    }
                    producer.flush();
                    raw.flush();
                    awaitTrue("a record that needs the registry is held", () -> metric(runtime.app(), "records-held-total") > heldAtStart,
                            Duration.ofMinutes(2));
                    Thread.sleep(OUTAGE.toMillis());
                    long consumedWhileDown = metric(runtime.app(), "records-accepted-total") + metric(runtime.app(), "records-rejected-total");
                    assertTrue(consumedWhileDown < events.size(), "the held records wait: " + consumedWhileDown + " of " + events.size());
                    HttpResponse<String> pausedAgain = get(ready);
                    assertEquals(503, pausedAgain.statusCode(), pausedAgain.body());
                    assertTrue(pausedAgain.body().contains("\"reason\":\"processing is paused since ")
                            && pausedAgain.body().contains("the schema registry could not be asked while decoding spine.followups.v1-"),
                            pausedAgain.body());
                    long held = metric(runtime.app(), "records-held-total") - heldAtStart;

                    stack.registry().restart();
                    long secondUp = System.nanoTime();
                    awaitStatus(ready, 200, Duration.ofMinutes(2));
                    long secondReady = System.nanoTime();
                    awaitTrue("every record consumed", () -> metric(runtime.app(), "records-accepted-total") == events.size(), Duration.ofMinutes(5));
                    long secondCaughtUp = System.nanoTime();
                    StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(5));

                    // Nothing dead-lettered, no thread replaced, the registry asked with back-off (two outages).
                    assertEquals(events.size(), metric(runtime.app(), "records-in-total"));
                    assertEquals(0, metric(runtime.app(), "records-rejected-total"));
                    assertEquals(List.of(), StackOutputs.readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records());
                    assertEquals(threads, threadNames(runtime), "the same stream thread throughout");
                    assertEquals(2, gate.outages());
                    assertTrue(gate.reports() < 40, "reports of the outage: " + gate.reports());

                    StackOutputs.assertFinalsEqualBatch(stack, producerRegistry, events, PATIENTS);

                    System.out.printf("registry outage at start: down %.1f s (app paused, %d records read and held, none decoded), ready %.1f s "
                                    + "after the restart, %d records read %.1f s after it%n", seconds(firstDown, firstUp), heldAtStart,
                            seconds(firstUp, firstReady), atStart.size(), seconds(firstUp, firstCaughtUp));
                    System.out.printf("registry outage mid-run: down %.1f s (%d follow-ups of the next schema version; %d records held, "
                                    + "%d of %d decoded while down), ready %.1f s after the restart, all %d records %.1f s after it; gate reports %d%n",
                            seconds(secondDown, secondUp), nextVersionFollowUps, held, consumedWhileDown, events.size(),
                            seconds(secondUp, secondReady), events.size(), seconds(secondUp, secondCaughtUp), gate.reports());

                    // 3. A record on the hand-on topic that is no cell change (bytes from elsewhere): dead-lettered, not looped on.
                    String repartition = org.spineoutcomes.topology.HandOnTopics.forApplication("registry-outage-e2e").cellDeltas();
                    byte[] garbage = {0, 0, 0, 9, 1, 2};
                    raw.send(new ProducerRecord<>(repartition, "ITT/M1".getBytes(StandardCharsets.UTF_8), garbage)).get();
                    awaitTrue("a dead letter for the foreign bytes", () -> !rejected(stack).isEmpty(), Duration.ofMinutes(2));
                    List<ConsumerRecord<byte[], byte[]>> dead = rejected(stack);
                    assertEquals(1, dead.size());
                    assertArrayEquals(garbage, dead.get(0).value());
                    assertEquals("UNDECODABLE", new String(dead.get(0).headers().lastHeader(RejectionHeaders.REASON).value(), StandardCharsets.UTF_8));
                    assertEquals(repartition, new String(dead.get(0).headers().lastHeader(RejectionHeaders.SOURCE_TOPIC).value(), StandardCharsets.UTF_8));
                    assertEquals(threads, threadNames(runtime), "still the same stream thread");
                } finally {
                    runtime.close();
                }
            }
        }
    }


    private static void send(KafkaProducer<String, SpecificRecord> producer, List<SpecificRecord> events) {
        for (SpecificRecord e : events) {
            producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
        }
        producer.flush();
    }

    private static List<ConsumerRecord<byte[], byte[]>> rejected(LocalStack stack) {
        return new ArrayList<>(StackOutputs.readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records());
    }

    private static Set<String> threadNames(SpineRuntime runtime) {
        Set<String> names = new TreeSet<>();
        for (org.apache.kafka.streams.KafkaStreams streams : runtime.app().allStreams()) {
            for (ThreadMetadata t : streams.metadataForLocalThreads()) names.add(t.threadName());
        }
        return names;
    }




}
