package org.spineoutcomes.topics;

import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerde;

/**
 * A topic of the contract with all a client needs to use it: name, partition count, broker-side
 * configuration, and its key and value types with their serdes. Avro values are written in the
 * Confluent wire format and registered under {@code <topic>-value}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class SpineTopic<K, V> {

    private final String name;
    private final int partitions;
    private final Map<String, String> config;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final Function<SchemaRegistryClient, Serde<K>> keySerde;
    private final Function<SchemaRegistryClient, Serde<V>> valueSerde;
    private final String description;

    private SpineTopic(String name, int partitions, Map<String, String> config, Class<K> keyType, Class<V> valueType,
                       Function<SchemaRegistryClient, Serde<K>> keySerde, Function<SchemaRegistryClient, Serde<V>> valueSerde,
                       String description) {
        this.name = name;
        this.partitions = partitions;
        this.config = Map.copyOf(config);
        this.keyType = keyType;
        this.valueType = valueType;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.description = description;
    }

    /** A topic keyed by a UTF-8 string (patient pseudonym or cell key) whose values are Avro records. */
    static <V extends SpecificRecord> SpineTopic<String, V> avroValues(String name, int partitions, Map<String, String> config,
                                                                     Class<V> valueType, String description) {
        return new SpineTopic<>(name, partitions, config, String.class, valueType,
                registry -> Serdes.String(), registry -> new SpineAvroSerde<>(registry, valueType), description);
    }

    /** A topic whose key and value are plain Kafka types (String, Long, byte[]): no registry involved. */
    static <K, V> SpineTopic<K, V> plain(String name, int partitions, Map<String, String> config,
                                         Class<K> keyType, Class<V> valueType, String description) {
        return new SpineTopic<>(name, partitions, config, keyType, valueType,
                registry -> Serdes.serdeFrom(keyType), registry -> Serdes.serdeFrom(valueType), description);
    }

    public String name() { return name; }

    public int partitions() { return partitions; }

    /** Broker-side topic configuration (cleanup policy, retention). */
    public Map<String, String> config() { return config; }

    public Class<K> keyType() { return keyType; }

    public Class<V> valueType() { return valueType; }

    /** A new key serde; {@code registry} is used only by Avro keys (none so far). */
    public Serde<K> keySerde(SchemaRegistryClient registry) { return keySerde.apply(registry); }

    /** A new value serde; Avro values look up and register their schemas in {@code registry}. */
    public Serde<V> valueSerde(SchemaRegistryClient registry) { return valueSerde.apply(registry); }

    public String description() { return description; }

    /** The registry subject of the Avro values, {@code <topic>-value} (TopicNameStrategy); empty for plain values. */
    public java.util.Optional<String> valueSubject() {
        return SpecificRecord.class.isAssignableFrom(valueType) ? java.util.Optional.of(name + "-value") : java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return name;
    }
}
