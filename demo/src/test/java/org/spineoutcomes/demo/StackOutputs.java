package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/** What the real-stack tests share: a pseudonymised simulated cohort, producing it, and reading the output topics back. */
final class StackOutputs {
    private StackOutputs() {}

    /** A simulated cohort with pseudonymised patient ids, as the producer library would publish it. */
    static List<SpecificRecord> simulatedCohort(int patients, long seed) {
        return simulatedCohort(SimulationParameters.defaults(patients, seed).withInvalidShare(0));
    }

    /** As {@link #simulatedCohort(int, long)}, with other simulation parameters (e.g. invalid events). */
    static List<SpecificRecord> simulatedCohort(SimulationParameters parameters) {
        Pseudonymiser pseudonymiser = new Pseudonymiser("end-to-end-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        List<SpecificRecord> events = new ArrayList<>();
        new CohortSimulator(parameters).run(e -> {
            // Copy first: the simulator may hand the same instance twice (exact duplicates).
            SpecificRecord copy = (SpecificRecord) org.apache.avro.specific.SpecificData.getForSchema(e.getSchema()).deepCopy(e.getSchema(), e);
            int field = copy.getSchema().getField("patientId").pos();
            copy.put(field, pseudonymiser.pseudonymise((String) copy.get(field)));
            events.add(copy);
        });
        return events;
    }

    static void produce(LocalStack stack, SchemaRegistryClient registry, List<SpecificRecord> events) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(pp, new StringSerializer(), new SpineAvroSerializer<>(registry))) {
            for (SpecificRecord e : events) {
                producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
            }
        }
    }

    /** Last value per key of the five output topics, as compaction would leave them. */
    record Finals(Map<String, PatientOutcome> outcomes, Map<String, ArmAggregate> aggregates, Map<String, ArmComparison> comparisons,
                  Map<String, AdjustedComparison> adjustedComparisons, Map<String, TimeToEvent> timeToEvent) {}

    static Finals finals(LocalStack stack, SchemaRegistryClient registry) {
        return new Finals(
                readAll(stack, Topics.PATIENT_OUTCOMES, registry).latest(),
                readAll(stack, Topics.ARM_AGGREGATES, registry).latest(),
                readAll(stack, Topics.ARM_COMPARISONS, registry).latest(),
                readAll(stack, Topics.ADJUSTED_COMPARISONS, registry).latest(),
                readAll(stack, Topics.TIME_TO_EVENT, registry).latest());
    }

    /** Every record of a contract topic, read with the topic's own serdes. */
    static <K, V> Read<K, V> readAll(LocalStack stack, SpineTopic<K, V> topic, SchemaRegistryClient registry) {
        return readAll(stack, topic.name(), topic.keySerde(registry).deserializer(), topic.valueSerde(registry).deserializer());
    }

    /** The five result topics' final contents equal the batch over the same events ({@code patients} of them), record for record. */
    static void assertFinalsEqualBatch(LocalStack stack, SchemaRegistryClient registry, List<SpecificRecord> events, int patients) {
        org.spineoutcomes.batch.BatchComputation batch = new org.spineoutcomes.batch.BatchComputation();
        events.forEach(batch::add);
        assertFinalsEqual(batch.result(null), finals(stack, registry), patients);
    }

    /** The five result topics' final contents equal the batch's, record for record (Avro bytes), for {@code patients} patients. */
    static void assertFinalsEqual(org.spineoutcomes.batch.BatchComputation.Result expected, Finals finals, int patients) {
        assertEquals(patients, expected.outcomes().size());
        assertSameRecords("patient outcomes", expected.outcomes(), finals.outcomes());
        assertSameRecords("arm aggregates", expected.aggregates(), finals.aggregates());
        assertSameRecords("arm comparisons", expected.comparisons(), finals.comparisons());
        assertSameRecords("standardised comparisons (R36)", expected.adjustedComparisons(), finals.adjustedComparisons());
        assertSameRecords("time to event (R37, R38)", expected.timeToEvent(), finals.timeToEvent());
    }

    /** Compares by Avro binary encoding: exact, and avoids Avro's equals() on decoded logical types. */
    static <T extends SpecificRecord> void assertSameRecords(String what, Map<String, T> expected, Map<String, T> actual) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": keys");
        List<String> different = new ArrayList<>();
        for (String k : expected.keySet()) {
            if (!java.util.Arrays.equals(bytes(expected.get(k)), bytes(actual.get(k)))) different.add(k);
        }
        assertTrue(different.isEmpty(), () -> what + " differ from the batch recomputation for " + different.size() + " keys, e.g. "
                + different.stream().limit(3).toList() + "; first expected " + expected.get(different.get(0))
                + "\n  actual " + actual.get(different.get(0)));
    }

    static byte[] bytes(SpecificRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(r.getSchema()).write(r, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long metric(SpineStreamsApp app, String name) {
        return IngestMetrics.total(app.streams().metrics(), name);
    }

    record Read<K, V>(List<ConsumerRecord<K, V>> records) {
        Map<K, V> latest() {
            Map<K, V> m = new TreeMap<>();
            for (ConsumerRecord<K, V> r : records) {
                if (r.value() == null) m.remove(r.key());
                else m.put(r.key(), r.value());
            }
            return m;
        }
    }

    static <K, V> Read<K, V> readAll(LocalStack stack, String topic, Deserializer<K> keys, Deserializer<V> values) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(p, keys, values)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return new Read<>(out);
    }

    static void waitUntilQuiet(LocalStack stack, Duration quiet, Duration max) throws InterruptedException {
        new ResultsPrinter(stack.bootstrapServers(), stack.schemaRegistryUrl(), System.out).waitUntilQuiet(quiet, max);
    }
}
