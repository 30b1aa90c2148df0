package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.ProcedureEvent;

class SerdeConfigTest {

    @Test
    void defaultsMatchConfluents() {
        SerdeConfig config = new SerdeConfig(Map.of());
        assertTrue(config.autoRegisterSchemas());
        assertFalse(config.useLatestVersion());
        assertEquals(SubjectNameStrategy.TOPIC_NAME, config.subjectNameStrategy(false));
        assertEquals(SubjectNameStrategy.TOPIC_NAME, config.subjectNameStrategy(true));
        assertEquals("JKS", config.truststoreType());
        assertEquals(List.of(), config.registryUrls());
        assertEquals(Optional.empty(), config.recordType(false));
        assertEquals(Duration.ofSeconds(10), config.connectTimeout());
    }

    @Test
    void parsesStringsAsFoundInAPropertiesFile() {
        SerdeConfig config = new SerdeConfig(Map.of(
                "schema.registry.url", " http://a:8081/ , http://b:8080/apis/ccompat/v7",
                "auto.register.schemas", "false",
                "use.latest.version", "TRUE",
                "key.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                "value.subject.name.strategy", "TopicRecordNameStrategy",
                "schema.registry.basic.auth.user.info", "svc:s3cr:et",
                "spine.avro.value.type", "org.spineoutcomes.schema.ProcedureEvent",
                "spine.registry.request.timeout.ms", "2500"));
        assertEquals(List.of("http://a:8081", "http://b:8080/apis/ccompat/v7"), config.registryUrls());
        assertFalse(config.autoRegisterSchemas());
        assertTrue(config.useLatestVersion());
        assertEquals(SubjectNameStrategy.RECORD_NAME, config.subjectNameStrategy(true));
        assertEquals(SubjectNameStrategy.TOPIC_RECORD_NAME, config.subjectNameStrategy(false));
        assertEquals(Optional.of("svc:s3cr:et"), config.basicAuthUserInfo());
        assertEquals(Optional.of(ProcedureEvent.class), config.recordType(false));
        assertEquals(Duration.ofMillis(2500), config.requestTimeout());
    }

    @Test
    void badValuesNameTheKey() {
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class,
                () -> new SerdeConfig(Map.of("auto.register.schemas", "yes")).autoRegisterSchemas());
        assertEquals("auto.register.schemas must be true or false, got 'yes'", bool.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> new SerdeConfig(Map.of("spine.avro.value.type", "org.example.Nope")).recordType(false));
        assertEquals("spine.avro.value.type: class 'org.example.Nope' not found on the classpath", type.getMessage());
        IllegalArgumentException strategy = assertThrows(IllegalArgumentException.class,
                () -> new SerdeConfig(Map.of("value.subject.name.strategy", "ByMood")).subjectNameStrategy(false));
        assertTrue(strategy.getMessage().startsWith("value.subject.name.strategy: unknown subject name strategy 'ByMood'"), strategy.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SerdeConfig(Map.of("basic.auth.credentials.source", "SASL_INHERIT")).basicAuthUserInfo());
        assertThrows(IllegalArgumentException.class, () -> SchemaRegistryClients.fromConfig(Map.of()));
    }

    @Test
    void strategyAcceptsEnumShortAndConfluentNames() {
        for (String name : List.of("TOPIC_NAME", "topic_name", "topic", "TopicNameStrategy", "io.confluent.kafka.serializers.subject.TopicNameStrategy")) {
            assertEquals(SubjectNameStrategy.TOPIC_NAME, SubjectNameStrategy.parse(name), name);
        }
        for (String name : List.of("RECORD_NAME", "record", "RecordNameStrategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy")) {
            assertEquals(SubjectNameStrategy.RECORD_NAME, SubjectNameStrategy.parse(name), name);
        }
        for (String name : List.of("TOPIC_RECORD_NAME", "topic-record", "TopicRecordNameStrategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")) {
            assertEquals(SubjectNameStrategy.TOPIC_RECORD_NAME, SubjectNameStrategy.parse(name), name);
        }
        assertEquals("io.confluent.kafka.serializers.subject.TopicNameStrategy", SubjectNameStrategy.TOPIC_NAME.confluentClassName());
    }

    @Test
    void recordStrategiesRefuseANonRecordSchema() {
        Schema string = Schema.create(Schema.Type.STRING);
        assertEquals("t-key", SubjectNameStrategy.TOPIC_NAME.subjectName("t", true, string));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubjectNameStrategy.RECORD_NAME.subjectName("t", false, string));
        assertEquals("RECORD_NAME needs a record schema, got STRING", e.getMessage());
    }

    @Test
    void sameSettingsShareOneClient() {
        Map<String, String> settings = Map.of("schema.registry.url", "http://127.0.0.1:1/apis/ccompat/v7");
        assertTrue(SchemaRegistryClients.fromConfig(settings) == SchemaRegistryClients.fromConfig(Map.copyOf(settings)));
        assertFalse(SchemaRegistryClients.fromConfig(settings)
                == SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "http://127.0.0.1:2/apis/ccompat/v7")));
    }
}
