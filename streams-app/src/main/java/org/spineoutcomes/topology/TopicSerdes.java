package org.spineoutcomes.topology;

import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerde;
import org.spineoutcomes.topics.Topics;

/**
 * The one place that pairs every topic of the app with its serdes. Keys are UTF-8 strings (patient
 * pseudonym or cell key); values are Avro in the Confluent wire format, registered under
 * {@code <topic>-value}. Inputs are read as raw bytes and decoded by the ingest step, so that
 * undecodable records can be dead-lettered with their original bytes.
 */
public final class TopicSerdes {

    private final SchemaRegistryClient registry;

    public TopicSerdes(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    public Serde<String> keys() { return Serdes.String(); }

    public Serde<byte[]> rawInput() { return Serdes.ByteArray(); }

    /** Value deserializers of the three input topics (Topics.PROCEDURES, IMAGING, FOLLOWUPS). */
    public Map<EventType, Deserializer<? extends SpecificRecord>> inputDeserializers() {
        Map<EventType, Deserializer<? extends SpecificRecord>> m = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            m.put(t, avro(t.avroClass()).deserializer());
        }
        return m;
    }

    /**
     * The Confluent-wire bytes of an input event under the current schema (subject of its input topic),
     * for dead-lettering a version that is no longer held as original bytes (R9 displaced re-sends).
     */
    @SuppressWarnings("unchecked")
    public java.util.function.BiFunction<EventType, SpecificRecord, byte[]> inputReencoder() {
        Map<EventType, org.apache.kafka.common.serialization.Serializer<SpecificRecord>> m = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            m.put(t, (org.apache.kafka.common.serialization.Serializer<SpecificRecord>) avro(t.avroClass()).serializer());
        }
        return (type, event) -> m.get(type).serialize(type.topic().name(), event);
    }

    /** Topics.PATIENT_OUTCOMES. */
    public Serde<PatientOutcome> patientOutcomes() { return avro(PatientOutcome.class); }

    /** Topics.ARM_AGGREGATES. */
    public Serde<ArmAggregate> armAggregates() { return avro(ArmAggregate.class); }

    /** Topics.ARM_COMPARISONS. */
    public Serde<ArmComparison> armComparisons() { return avro(ArmComparison.class); }

    /** Topics.REJECTED: original bytes, untouched. */
    public Serde<byte[]> rejected() { return Serdes.ByteArray(); }

    /** Topics.DATA_CUT: key = input partition, value = epoch ms. */
    public Serde<Long> dataCut() { return Serdes.Long(); }

    private <T extends SpecificRecord> Serde<T> avro(Class<T> type) {
        return new SpineAvroSerde<>(registry, type);
    }

    static String[] inputTopicNames() {
        return Topics.INPUTS.stream().map(t -> t.name()).toArray(String[]::new);
    }
}
