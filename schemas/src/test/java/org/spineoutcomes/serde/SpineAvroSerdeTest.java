package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.testing.EventFixtures;

class SpineAvroSerdeTest {
    private static final String PROCEDURES = "spine.procedures.v1";
    private static final String IMAGING = "spine.imaging.v1";
    private static final String FOLLOWUPS = "spine.followups.v1";

    /** A registry that hands out id 258 for everything, to pin the header bytes. */
    private static final class FixedIdRegistry extends InMemorySchemaRegistryClient {
        private Schema registered;

        @Override
        public synchronized int register(String subject, Schema schema) {
            registered = schema;
            return 258;
        }

        @Override
        public synchronized Schema getSchemaById(int id) {
            return id == 258 ? registered : super.getSchemaById(id);
        }
    }

    @Test
    void wireBytesAreHeaderThenExactlyAvrosOwnBinaryEncoding() throws IOException {
        ProcedureEvent event = EventFixtures.sampleKyphoplasty();
        byte[] bytes = new SpineAvroSerializer<ProcedureEvent>(new FixedIdRegistry()).serialize(PROCEDURES, event);

        // 258 = 0x00000102, big-endian after the magic byte 0x00
        assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x01, 0x02}, Arrays.copyOf(bytes, 5));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(expected, null);
        new SpecificDatumWriter<ProcedureEvent>(ProcedureEvent.class).write(event, encoder);
        encoder.flush();
        assertArrayEquals(expected.toByteArray(), Arrays.copyOfRange(bytes, 5, bytes.length));
        // First field eventId "proc-0001": length 9 zig-zag encoded = 18 = 0x12, then the ASCII bytes.
        assertEquals(0x12, bytes[5]);
        assertEquals('p', bytes[6]);
    }

    @Test
    void threeEventTypesRoundTripThroughInMemoryRegistry() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        assertRoundTrip(registry, PROCEDURES, ProcedureEvent.class, EventFixtures.sampleKyphoplasty());
        assertRoundTrip(registry, IMAGING, ImagingEvent.class, EventFixtures.samplePostOpRadiograph());
        assertRoundTrip(registry, FOLLOWUPS, FollowUpEvent.class, EventFixtures.sampleThreeMonthFollowUp());
        // Three subjects, ids 1, 2, 3 in registration order.
        assertEquals(List.of("spine.procedures.v1-value", "spine.imaging.v1-value", "spine.followups.v1-value"), registry.getAllSubjects());
        assertEquals(3, registry.getLatestVersion("spine.followups.v1-value").id());
    }

    private static <T extends SpecificRecord> void assertRoundTrip(SchemaRegistryClient registry, String topic, Class<T> type, T event) {
        SpineAvroSerde<T> serde = new SpineAvroSerde<>(registry, type);
        byte[] bytes = serde.serializer().serialize(topic, event);
        T back = serde.deserializer().deserialize(topic, bytes);
        assertEquals(event, back);
    }

    @Test
    void decodedFieldsKeepLogicalTypes() {
        SpineAvroSerde<FollowUpEvent> serde = new SpineAvroSerde<>(new InMemorySchemaRegistryClient(), FollowUpEvent.class);
        FollowUpEvent back = serde.deserializer().deserialize(FOLLOWUPS, serde.serializer().serialize(FOLLOWUPS, EventFixtures.sampleThreeMonthFollowUp()));
        assertEquals(Instant.parse("2024-06-03T10:00:00Z"), back.getOccurredAt());
        assertEquals(java.time.LocalDate.of(2024, 3, 18), back.getMedications().get(0).getStartDate());
        assertEquals(0.712, back.getEq5dIndex());
        assertEquals(24, back.getRmdqItems()); // schema default
    }

    @Test
    void nullIsATombstoneBothWays() {
        SpineAvroSerde<ProcedureEvent> serde = new SpineAvroSerde<>(new InMemorySchemaRegistryClient(), ProcedureEvent.class);
        assertNull(serde.serializer().serialize(PROCEDURES, null));
        assertNull(serde.deserializer().deserialize(PROCEDURES, null));
    }

    @Test
    void subjectNamesFollowTheStrategy() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        ProcedureEvent event = EventFixtures.sampleKyphoplasty();
        new SpineAvroSerializer<ProcedureEvent>(registry, false, SubjectNameStrategy.TOPIC_NAME, true).serialize(PROCEDURES, event);
        new SpineAvroSerializer<ProcedureEvent>(registry, true, SubjectNameStrategy.TOPIC_NAME, true).serialize(PROCEDURES, event);
        new SpineAvroSerializer<ProcedureEvent>(registry, false, SubjectNameStrategy.RECORD_NAME, true).serialize(PROCEDURES, event);
        new SpineAvroSerializer<ProcedureEvent>(registry, false, SubjectNameStrategy.TOPIC_RECORD_NAME, true).serialize(PROCEDURES, event);
        assertEquals(List.of(
                "spine.procedures.v1-value",
                "spine.procedures.v1-key",
                "org.spineoutcomes.schema.ProcedureEvent",
                "spine.procedures.v1-org.spineoutcomes.schema.ProcedureEvent"), registry.getAllSubjects());
        // One schema under four subjects keeps one global id, as in Confluent's registry.
        assertEquals(1, registry.getLatestVersion("org.spineoutcomes.schema.ProcedureEvent").id());
    }

    @Test
    void autoRegisterOffFailsClearlyForAnUnregisteredSchema() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        SpineAvroSerializer<ProcedureEvent> serializer = new SpineAvroSerializer<>(registry, false, SubjectNameStrategy.TOPIC_NAME, false);
        SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class, () -> serializer.serialize(PROCEDURES, EventFixtures.sampleKyphoplasty()));
        assertTrue(e.getMessage().startsWith("cannot serialize org.spineoutcomes.schema.ProcedureEvent to subject 'spine.procedures.v1-value': "
                + "the schema is not registered there and auto.register.schemas is false"), e.getMessage());
        assertEquals(List.of(), registry.getAllSubjects()); // nothing was registered

        // Once registered by someone else, the same serializer looks the id up.
        int id = registry.register("spine.procedures.v1-value", ProcedureEvent.getClassSchema());
        assertEquals(id, WireFormat.schemaIdOf(serializer.serialize(PROCEDURES, EventFixtures.sampleKyphoplasty())));
    }

    /** FollowUpEvent as an older producer knew it: without eq5dIndex and rmdqItems (both have defaults). */
    static Schema followUpWithout(String... removedFields) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(FollowUpEvent.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) root.get("fields");
        List<String> removed = List.of(removedFields);
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = fields.iterator(); it.hasNext(); ) {
            if (removed.contains(it.next().get("name").asText())) {
                it.remove();
            }
        }
        return new Schema.Parser().parse(root.toString());
    }

    @Test
    void bytesFromAnOlderWriterSchemaDecodeIntoTheCurrentClass() throws IOException {
        Schema older = followUpWithout("eq5dIndex", "rmdqItems");
        assertEquals(FollowUpEvent.getClassSchema().getFields().size() - 2, older.getFields().size());
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        int olderId = registry.register("spine.followups.v1-value", older);
        // The current schema only adds fields with defaults: BACKWARD compatible, so version 2.
        int currentId = registry.register("spine.followups.v1-value", FollowUpEvent.getClassSchema());
        assertEquals(1, olderId);
        assertEquals(2, currentId);

        GenericRecord old = new GenericData.Record(older);
        old.put("eventId", "fu-old-1");
        old.put("patientId", EventFixtures.SAMPLE_PSEUDONYM);
        old.put("occurredAt", Instant.parse("2023-11-02T09:00:00Z").toEpochMilli());
        old.put("recordedAt", Instant.parse("2023-11-02T09:05:00Z").toEpochMilli());
        old.put("sourceSystem", "hospital-b/cerner");
        old.put("painNrs", 6);
        old.put("rmdq", 14);
        old.put("complications", List.of());
        old.put("medications", List.of());
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(payload, null);
        new GenericDatumWriter<GenericRecord>(older).write(old, encoder);
        encoder.flush();
        byte[] bytes = WireFormat.frame(olderId, payload.toByteArray());

        FollowUpEvent decoded = new SpineAvroDeserializer<>(registry, FollowUpEvent.class).deserialize(FOLLOWUPS, bytes);
        assertEquals("fu-old-1", decoded.getEventId());
        assertEquals(Instant.parse("2023-11-02T09:00:00Z"), decoded.getOccurredAt());
        assertEquals(6, decoded.getPainNrs());
        assertEquals(14, decoded.getRmdq());
        assertEquals(24, decoded.getRmdqItems()); // absent in the writer: reader default 24
        assertNull(decoded.getEq5dIndex());       // absent in the writer: reader default null
    }

    @Test
    void incompatibleSchemaIsRefusedByTheInMemoryRegistry() throws IOException {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        registry.register("spine.followups.v1-value", FollowUpEvent.getClassSchema());
        // A new field without a default cannot read old data: not BACKWARD compatible.
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(FollowUpEvent.getClassSchema().toString());
        ((ArrayNode) root.get("fields")).addObject().put("name", "siteCode").put("type", "string");
        Schema withRequiredField = new Schema.Parser().parse(root.toString());
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> registry.register("spine.followups.v1-value", withRequiredField));
        assertEquals(409, e.httpStatus());
        assertTrue(e.getMessage().contains("siteCode"), e.getMessage());
        assertEquals(1, registry.getAllVersions("spine.followups.v1-value").size());
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        SpineAvroDeserializer<ProcedureEvent> deserializer = new SpineAvroDeserializer<>(new InMemorySchemaRegistryClient(), ProcedureEvent.class);
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> deserializer.deserialize(PROCEDURES, new byte[] {0, 0, 0, 0, 42, 0x12}));
        assertEquals(42, e.schemaId());
        assertTrue(e.getMessage().startsWith("schema id 42 is not in the schema registry"), e.getMessage());
    }

    @Test
    void garbageAndShortInputAreWireFormatErrors() {
        SpineAvroDeserializer<ProcedureEvent> deserializer = new SpineAvroDeserializer<>(new InMemorySchemaRegistryClient(), ProcedureEvent.class);
        WireFormatException garbage = assertThrows(WireFormatException.class, () -> deserializer.deserialize(PROCEDURES, "hello world".getBytes()));
        assertEquals("not Confluent wire format: first byte 0x68 ('h'), expected 0x00", garbage.getMessage());
        WireFormatException shortInput = assertThrows(WireFormatException.class, () -> deserializer.deserialize(PROCEDURES, new byte[] {0, 0, 1}));
        assertTrue(shortInput.getMessage().startsWith("not Confluent wire format: 3 bytes received"), shortInput.getMessage());
    }

    @Test
    void truncatedOrPaddedPayloadIsAnAvroDecodeErrorCarryingTheId() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        SpineAvroSerde<ProcedureEvent> serde = new SpineAvroSerde<>(registry, ProcedureEvent.class);
        byte[] good = serde.serializer().serialize(PROCEDURES, EventFixtures.sampleKyphoplasty());
        byte[] truncated = Arrays.copyOf(good, good.length - 10);
        AvroDecodeException cut = assertThrows(AvroDecodeException.class, () -> serde.deserializer().deserialize(PROCEDURES, truncated));
        assertEquals(1, cut.schemaId());
        byte[] padded = Arrays.copyOf(good, good.length + 3);
        AvroDecodeException extra = assertThrows(AvroDecodeException.class, () -> serde.deserializer().deserialize(PROCEDURES, padded));
        assertTrue(extra.getMessage().contains("bytes left over"), extra.getMessage());
    }

    @Test
    void aRecordOfAnotherTypeIsAnAvroDecodeErrorNamingBothTypes() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        byte[] procedureBytes = new SpineAvroSerializer<ProcedureEvent>(registry).serialize(PROCEDURES, EventFixtures.sampleKyphoplasty());
        SpineAvroDeserializer<FollowUpEvent> followUps = new SpineAvroDeserializer<>(registry, FollowUpEvent.class);
        AvroDecodeException e = assertThrows(AvroDecodeException.class, () -> followUps.deserialize(FOLLOWUPS, procedureBytes));
        assertTrue(e.getMessage().startsWith("writer schema id 1 (org.spineoutcomes.schema.ProcedureEvent) cannot be read as org.spineoutcomes.schema.FollowUpEvent"),
                e.getMessage());
    }

    @Test
    void reflectiveConfigurationWithMockScopeSharesOneRegistry() {
        String scope = "serde-test-" + System.nanoTime();
        Map<String, Object> config = Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope,
                SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
                SerdeConfig.VALUE_TYPE, ImagingEvent.class.getName());
        try {
            SpineAvroSerde<ImagingEvent> writer = new SpineAvroSerde<>();
            writer.configure(config, false);
            SpineAvroSerde<ImagingEvent> reader = new SpineAvroSerde<>();
            reader.configure(config, false);
            byte[] bytes = writer.serializer().serialize(IMAGING, EventFixtures.samplePostOpRadiograph());
            assertEquals(EventFixtures.samplePostOpRadiograph(), reader.deserializer().deserialize(IMAGING, bytes));
            assertEquals(List.of("spine.imaging.v1-org.spineoutcomes.schema.ImagingEvent"), InMemorySchemaRegistryClient.forScope(scope).getAllSubjects());
        } finally {
            InMemorySchemaRegistryClient.dropScope(scope);
        }
    }

    @Test
    void withoutAConfiguredTypeTheWriterSchemasClassIsUsed() {
        String scope = "serde-test-untyped-" + System.nanoTime();
        try {
            SpineAvroSerializer<FollowUpEvent> serializer = new SpineAvroSerializer<>();
            serializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope), false);
            SpineAvroDeserializer<SpecificRecord> deserializer = new SpineAvroDeserializer<>();
            deserializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope), false);
            SpecificRecord back = deserializer.deserialize(FOLLOWUPS, serializer.serialize(FOLLOWUPS, EventFixtures.sampleThreeMonthFollowUp()));
            assertEquals(EventFixtures.sampleThreeMonthFollowUp(), back);
        } finally {
            InMemorySchemaRegistryClient.dropScope(scope);
        }
    }

    @Test
    void useLatestVersionWritesWithTheLatestRegisteredSchema() throws IOException {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        Schema older = followUpWithout("eq5dIndex");
        registry.register("spine.followups.v1-value", older); // id 1, the only version
        SpineAvroSerializer<FollowUpEvent> serializer = new SpineAvroSerializer<>(registry, false, SubjectNameStrategy.TOPIC_NAME, false, true);
        byte[] bytes = serializer.serialize(FOLLOWUPS, EventFixtures.sampleThreeMonthFollowUp());
        assertEquals(1, WireFormat.schemaIdOf(bytes));
        FollowUpEvent back = new SpineAvroDeserializer<>(registry, FollowUpEvent.class).deserialize(FOLLOWUPS, bytes);
        assertNull(back.getEq5dIndex()); // dropped: schema id 1 has no such field
        assertEquals(3, back.getPainNrs());
        assertEquals(List.of("spine.followups.v1-value"), registry.getAllSubjects());
        assertEquals(1, registry.getAllVersions("spine.followups.v1-value").size()); // nothing registered
    }
}
