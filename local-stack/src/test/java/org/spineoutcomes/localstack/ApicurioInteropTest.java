package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroDeserializer;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.testing.EventFixtures.TopicEvent;

/**
 * Byte compatibility with a serde we did not write: Apicurio's Avro serde (2.6.x) in Confluent
 * mode, talking to the same real registry through its native API, over the real broker.
 */
@ExtendWith(LocalStackExtension.class)
class ApicurioInteropTest {
    private static LocalStack stack;
    private static SchemaRegistryClient registryClient;

    @BeforeAll
    static void connect(LocalStack sharedStack) {
        stack = sharedStack;
        registryClient = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
    }

    /** Confluent mode: 4-byte id after a 0 byte, no headers, the id being Apicurio's content id (what its ccompat API calls the schema id). */
    private static Map<String, Object> apicurioConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, stack.apicurioRegistryUrl());
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        config.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        config.put(SerdeConfig.ENABLE_HEADERS, false);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        return config;
    }

    @Test
    void recordWrittenByApicurioSerdeDecodesWithOurDeserializer() {
        TopicEvent<ProcedureEvent> input = EventFixtures.freshProcedure();
        String topic = input.topic().name();
        try (AvroKafkaSerializer<ProcedureEvent> apicurio = new AvroKafkaSerializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            KafkaTestClients.produce(stack.bootstrapServers(), topic, input.key(), input.event(), apicurio);
        }

        byte[] bytes = KafkaTestClients.consumeValueBytes(stack.bootstrapServers(), topic, input.key());
        // Apicurio registered (or found) the schema under artifact <topic>-value of the default group,
        // which the Confluent API shows as subject <topic>-value: the id in the record must be that subject's id.
        assertEquals(0, bytes[0], "magic byte");
        assertEquals(registryClient.getLatestVersion(topic + "-value").id(), ByteBuffer.wrap(bytes, 1, 4).getInt());

        ProcedureEvent decoded = new SpineAvroDeserializer<>(registryClient, ProcedureEvent.class).deserialize(topic, bytes);
        assertEquals(input.event(), decoded);
    }

    @Test
    void recordWrittenByOurSerializerDecodesWithApicurioDeserializer() {
        TopicEvent<FollowUpEvent> input = EventFixtures.freshFollowUp();
        String topic = input.topic().name();
        KafkaTestClients.produce(stack.bootstrapServers(), topic, input.key(), input.event(), new SpineAvroSerializer<>(registryClient));

        FollowUpEvent decoded;
        try (AvroKafkaDeserializer<FollowUpEvent> apicurio = new AvroKafkaDeserializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            decoded = KafkaTestClients.consumeValue(stack.bootstrapServers(), topic, input.key(), apicurio);
        }
        assertEquals(input.event(), decoded);
    }
}
