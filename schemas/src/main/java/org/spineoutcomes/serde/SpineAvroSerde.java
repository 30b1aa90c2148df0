package org.spineoutcomes.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link SpineAvroSerializer} and {@link SpineAvroDeserializer} as one Serde. The constructors
 * with a client need no {@code configure()} (Kafka Streams does not configure serdes passed to
 * {@code Consumed.with}/{@code Produced.with}); the no-arg constructor is for reflective creation
 * as a default serde, configured from {@code schema.registry.url} and {@code spine.avro.value.type}.
 */
public class SpineAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SpineAvroSerializer<T> serializer;
    private final SpineAvroDeserializer<T> deserializer;

    public SpineAvroSerde() {
        this.serializer = new SpineAvroSerializer<>();
        this.deserializer = new SpineAvroDeserializer<>();
    }

    /** A value serde: TopicNameStrategy, schemas registered as needed. */
    public SpineAvroSerde(SchemaRegistryClient client, Class<T> type) {
        this(client, type, false);
    }

    public SpineAvroSerde(SchemaRegistryClient client, Class<T> type, boolean isKey) {
        this(client, type, isKey, SubjectNameStrategy.TOPIC_NAME, true);
    }

    public SpineAvroSerde(SchemaRegistryClient client, Class<T> type, boolean isKey, SubjectNameStrategy strategy, boolean autoRegister) {
        this.serializer = new SpineAvroSerializer<>(client, isKey, strategy, autoRegister);
        this.deserializer = new SpineAvroDeserializer<>(client, type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
