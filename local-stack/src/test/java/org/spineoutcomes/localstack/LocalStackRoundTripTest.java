package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroDeserializer;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.serde.UnknownSchemaIdException;
import org.spineoutcomes.serde.WireFormatException;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.testing.EventFixtures.TopicEvent;
import org.spineoutcomes.topics.Topics;

/** The project's serde against the real broker and the real registry (Apicurio, Confluent API). */
@ExtendWith(LocalStackExtension.class)
class LocalStackRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalStack stack;
    private static SchemaRegistryClient registryClient;

    @BeforeAll
    static void connect(LocalStack sharedStack) {
        stack = sharedStack;
        registryClient = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
    }

    static Stream<TopicEvent<?>> inputCases() {
        return EventFixtures.freshInputEvents().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputCases")
    <T extends SpecificRecord> void eachInputEventRoundTripsThroughBrokerAndRegistry(TopicEvent<T> input) throws Exception {
        String topic = input.topic().name();
        KafkaTestClients.produce(stack.bootstrapServers(), topic, input.key(), input.event(), new SpineAvroSerializer<>(registryClient));

        byte[] bytes = KafkaTestClients.consumeValueBytes(stack.bootstrapServers(), topic, input.key());
        // Confluent wire format: byte 0 is the magic 0, bytes 1-4 the big-endian schema id.
        assertEquals(0, bytes[0], "magic byte");
        int idInRecord = ByteBuffer.wrap(bytes, 1, 4).getInt();

        // The registry itself (raw REST, not our client) must know that id as the latest version of <topic>-value.
        JsonNode latest = getJson(stack.schemaRegistryUrl() + "/subjects/" + topic + "-value/versions/latest");
        assertEquals(topic + "-value", latest.get("subject").asText());
        assertEquals(idInRecord, latest.get("id").asInt(), "id under subject " + topic + "-value");
        assertEquals(input.event().getSchema(), new Schema.Parser().parse(latest.get("schema").asText()),
                "registered schema is the class's schema");

        T decoded = new SpineAvroDeserializer<>(registryClient, input.type()).deserialize(topic, bytes);
        assertEquals(input.event(), decoded);
    }

    @Test
    void recordWithUnknownSchemaIdGivesUnknownSchemaIdException() {
        TopicEvent<ProcedureEvent> input = EventFixtures.freshProcedure();
        String topic = Topics.PROCEDURES.name();
        // A well-formed header naming id 987654321, which this fresh registry has never handed out
        // (its ids count up from 1), followed by a few payload bytes.
        byte[] bytes = {0x00, 0x3A, (byte) 0xDE, 0x68, (byte) 0xB1, 0x02, 0x04, 0x06}; // 0x3ADE68B1 = 987654321
        KafkaTestClients.produce(stack.bootstrapServers(), topic, input.key(), bytes,
                new org.apache.kafka.common.serialization.ByteArraySerializer());

        SpineAvroDeserializer<ProcedureEvent> deserializer = new SpineAvroDeserializer<>(registryClient, ProcedureEvent.class);
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> KafkaTestClients.consumeValue(stack.bootstrapServers(), topic, input.key(), deserializer));
        assertEquals(987654321, e.schemaId());
        assertTrue(e.getMessage().contains("987654321"), e.getMessage());
    }

    @Test
    void recordWithGarbageBytesGivesWireFormatException() {
        TopicEvent<ProcedureEvent> input = EventFixtures.freshProcedure();
        String topic = Topics.PROCEDURES.name();
        // Plain text, as a misconfigured producer would send: first byte 'h' = 0x68, not the magic 0x00.
        byte[] bytes = "hello, not avro".getBytes(StandardCharsets.US_ASCII);
        KafkaTestClients.produce(stack.bootstrapServers(), topic, input.key(), bytes,
                new org.apache.kafka.common.serialization.ByteArraySerializer());

        SpineAvroDeserializer<ProcedureEvent> deserializer = new SpineAvroDeserializer<>(registryClient, ProcedureEvent.class);
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> KafkaTestClients.consumeValue(stack.bootstrapServers(), topic, input.key(), deserializer));
        assertTrue(e.getMessage().contains("0x68"), e.getMessage());
    }

    private static JsonNode getJson(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + " -> " + response.body());
        return JSON.readTree(response.body());
    }
}
