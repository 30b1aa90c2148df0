package org.spineoutcomes.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml cannot drift from the code: every topic of {@link Topics#ALL} is a channel with
 * its address, partition count and broker configuration; every Avro value references an existing
 * .avsc file whose full name is the topic's value type; no channel exists that the code does not define.
 */
class AsyncApiDocumentTest {

    private static final Path DOC = Path.of("../docs/asyncapi.yaml");
    private static final String AVRO_FORMAT = "application/vnd.apache.avro+json;version=1.9.0";

    private static JsonNode doc;

    @BeforeAll
    static void parse() throws IOException {
        doc = new ObjectMapper(new YAMLFactory()).readTree(DOC.toFile());
    }

    /** The node a local reference such as '#/components/messages/X' points at. */
    private static JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) return node;
        String ref = node.get("$ref").asText();
        assertTrue(ref.startsWith("#/"), "local reference expected: " + ref);
        JsonNode target = doc.at(ref.substring(1));
        assertFalse(target.isMissingNode(), "dangling reference " + ref);
        return target;
    }

    private static JsonNode channelOf(SpineTopic<?, ?> topic) {
        List<JsonNode> found = new ArrayList<>();
        doc.get("channels").forEach(c -> {
            if (topic.name().equals(c.path("address").asText())) found.add(c);
        });
        assertEquals(1, found.size(), "channels with address " + topic.name());
        return found.get(0);
    }

    @Test
    void isAsyncApi3WithOneChannelPerTopic() {
        assertEquals("3.0.0", doc.get("asyncapi").asText());
        Set<String> addresses = new TreeSet<>();
        doc.get("channels").forEach(c -> addresses.add(c.get("address").asText()));
        Set<String> topics = new TreeSet<>();
        Topics.ALL.forEach(t -> topics.add(t.name()));
        assertEquals(topics, addresses);
        assertEquals(10, addresses.size());
    }

    @Test
    void partitionsAndBrokerConfigurationMatchTheCode() {
        for (SpineTopic<?, ?> topic : Topics.ALL) {
            JsonNode kafka = channelOf(topic).path("bindings").path("kafka");
            assertEquals(topic.name(), kafka.path("topic").asText(), topic.name());
            assertEquals(topic.partitions(), kafka.path("partitions").asInt(), topic.name() + " partitions");
            JsonNode config = kafka.path("topicConfiguration");
            List<String> policy = new ArrayList<>();
            config.path("cleanup.policy").forEach(p -> policy.add(p.asText()));
            assertEquals(List.of(topic.config().get("cleanup.policy")), policy, topic.name() + " cleanup.policy");
            String retention = topic.config().get("retention.ms");
            if (retention == null) {
                assertTrue(config.path("retention.ms").isMissingNode(), topic.name() + " has no retention.ms in the code");
            } else {
                assertEquals(Long.parseLong(retention), config.path("retention.ms").asLong(), topic.name() + " retention.ms");
            }
        }
    }

    @Test
    void everyAvroValueReferencesItsSchemaFile() throws IOException {
        ObjectMapper json = new ObjectMapper();
        int avro = 0;
        for (SpineTopic<?, ?> topic : Topics.ALL) {
            JsonNode messages = channelOf(topic).path("messages");
            assertEquals(1, messages.size(), topic.name() + ": one message");
            JsonNode message = resolve(messages.elements().next());
            JsonNode payload = message.path("payload");
            JsonNode key = resolve(message.path("bindings").path("kafka").path("key"));
            assertEquals("string", key.path("type").asText(), topic.name() + " key type");
            assertFalse(key.path("description").asText().isBlank(), topic.name() + " key description");
            if (SpecificRecord.class.isAssignableFrom(topic.valueType())) {
                avro++;
                assertEquals(AVRO_FORMAT, payload.path("schemaFormat").asText(), topic.name());
                String ref = payload.path("schema").path("$ref").asText();
                Path avsc = DOC.getParent().resolve(ref).normalize();
                assertTrue(ref.endsWith(".avsc") && Files.isRegularFile(avsc), topic.name() + ": " + ref + " exists");
                JsonNode schema = json.readTree(avsc.toFile());
                assertEquals(topic.valueType().getName(), schema.path("namespace").asText() + "." + schema.path("name").asText(),
                        topic.name() + ": full name of " + ref);
                assertEquals(String.class, topic.keyType());
                assertEquals("confluent", message.path("bindings").path("kafka").path("schemaIdPayloadEncoding").asText());
            } else {
                assertTrue(payload.path("schemaFormat").isMissingNode(), topic.name() + ": not Avro");
            }
        }
        assertEquals(8, avro);
        // Plain values: the dead letters' bytes and the data cut's long.
        Map<Class<?>, String> plain = Map.of(byte[].class, "string", Long.class, "integer");
        for (SpineTopic<?, ?> topic : List.of(Topics.REJECTED, Topics.DATA_CUT)) {
            JsonNode payload = resolve(channelOf(topic).path("messages").elements().next()).path("payload");
            assertEquals(plain.get(topic.valueType()), payload.path("type").asText(), topic.name());
        }
    }

    @Test
    void everyOperationPointsAtADefinedChannel() {
        int operations = 0;
        for (JsonNode op : doc.get("operations")) {
            operations++;
            assertTrue(Set.of("send", "receive").contains(op.path("action").asText()));
            assertTrue(resolve(op.path("channel")).has("address"));
        }
        assertTrue(operations >= Topics.ALL.size());
    }
}
