package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.stream.Stream;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroDeserializer;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.testing.EventFixtures.TopicEvent;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The round trip of {@link LocalStackRoundTripTest} against the images of docker-compose.yml:
 * Apache Kafka (KRaft) and Confluent Schema Registry itself. Skipped where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerStackRoundTripTest {
    // Keep in step with docker-compose.yml.
    static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
    static final String SCHEMA_REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.0.0";

    static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> SCHEMA_REGISTRY = new GenericContainer<>(DockerImageName.parse(SCHEMA_REGISTRY_IMAGE))
            .withNetwork(NETWORK)
            .dependsOn(KAFKA)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

    static Stream<TopicEvent<?>> inputCases() {
        return EventFixtures.freshInputEvents().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputCases")
    <T extends SpecificRecord> void eachInputEventRoundTripsThroughKafkaAndConfluentRegistry(TopicEvent<T> input) {
        String bootstrap = KAFKA.getBootstrapServers();
        String registryUrl = "http://" + SCHEMA_REGISTRY.getHost() + ":" + SCHEMA_REGISTRY.getMappedPort(8081);
        SchemaRegistryClient client = new RestSchemaRegistryClient(registryUrl);
        LocalStack.createContractTopics(bootstrap, (short) 1);
        LocalStack.governContractSubjects(registryUrl);
        String topic = input.topic().name();

        KafkaTestClients.produce(bootstrap, topic, input.key(), input.event(), new SpineAvroSerializer<>(client));
        byte[] bytes = KafkaTestClients.consumeValueBytes(bootstrap, topic, input.key());

        assertEquals(0, bytes[0], "magic byte");
        assertEquals(client.getLatestVersion(topic + "-value").id(), ByteBuffer.wrap(bytes, 1, 4).getInt(),
                "id in the record is the id of subject " + topic + "-value");
        assertEquals(input.event(), new SpineAvroDeserializer<>(client, input.type()).deserialize(topic, bytes));
    }
}
