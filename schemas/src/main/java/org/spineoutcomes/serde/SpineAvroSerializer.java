package org.spineoutcomes.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a SpecificRecord in the Confluent wire format: 0x00, the schema id (4 bytes, big-endian),
 * then the Avro binary. The id is resolved once per subject and schema (register, look up, or
 * the subject's latest version) and then cached, so the hot path makes no registry call. A null
 * record becomes null bytes (a tombstone).
 */
public class SpineAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private SchemaRegistryClient client;
    private boolean isKey;
    private SubjectNameStrategy strategy = SubjectNameStrategy.TOPIC_NAME;
    private boolean autoRegister = true;
    private boolean useLatestVersion;
    private boolean explicitlyBuilt;

    private final Map<Plan.Key, Plan> plans = new ConcurrentHashMap<>();

    /** For Kafka's reflective creation: call {@link #configure(Map, boolean)} before use. */
    public SpineAvroSerializer() {
    }

    /** A value serializer with TopicNameStrategy that registers schemas as needed. */
    public SpineAvroSerializer(SchemaRegistryClient client) {
        this(client, false, SubjectNameStrategy.TOPIC_NAME, true, false);
    }

    public SpineAvroSerializer(SchemaRegistryClient client, boolean isKey, SubjectNameStrategy strategy, boolean autoRegister) {
        this(client, isKey, strategy, autoRegister, false);
    }

    /**
     * @param useLatestVersion write with the id of the subject's latest registered version instead
     *                         of registering or looking up the record's own schema (the record is
     *                         converted to that schema by Avro's resolution rules when they differ)
     */
    public SpineAvroSerializer(SchemaRegistryClient client, boolean isKey, SubjectNameStrategy strategy, boolean autoRegister, boolean useLatestVersion) {
        this.client = Objects.requireNonNull(client, "client");
        this.isKey = isKey;
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.autoRegister = autoRegister;
        this.useLatestVersion = useLatestVersion;
        this.explicitlyBuilt = true;
    }

    /** Reads the Confluent-named settings; an instance built with a client keeps its constructor settings. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (explicitlyBuilt) {
            return;
        }
        SerdeConfig config = new SerdeConfig(configs);
        this.isKey = isKey;
        this.strategy = config.subjectNameStrategy(isKey);
        this.autoRegister = config.autoRegisterSchemas();
        this.useLatestVersion = config.useLatestVersion();
        this.client = SchemaRegistryClients.fromConfig(config);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("SpineAvroSerializer has no schema registry client: construct it with one or call configure()");
        }
        Schema schema = record.getSchema();
        String subject = strategy.subjectName(topic, isKey, schema);
        Plan plan = plans.get(new Plan.Key(subject, schema));
        if (plan == null) {
            plan = plans.computeIfAbsent(new Plan.Key(subject, schema), key -> planFor(key, record));
        }
        return plan.write(record);
    }

    private Plan planFor(Plan.Key key, T record) {
        Schema schema = key.schema();
        SpecificData model = AvroModels.forWriting(record.getClass());
        if (useLatestVersion) {
            SchemaRegistryClient.RegisteredSchema latest = client.getLatestVersion(key.subject());
            if (latest.schema().equals(schema)) {
                return new Plan(latest.id(), new SpecificDatumWriter<>(schema, model), schema, null);
            }
            var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), schema);
            if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
                throw new SerializationException("cannot write " + schema.getFullName() + " as the latest version " + latest.version()
                        + " (id " + latest.id() + ") of subject '" + key.subject() + "': " + InMemorySchemaRegistryClient.describe(compatibility));
            }
            return new Plan(latest.id(), new SpecificDatumWriter<>(schema, model), schema, latest.schema());
        }
        int id;
        if (autoRegister) {
            id = client.register(key.subject(), schema);
        } else {
            try {
                id = client.getId(key.subject(), schema);
            } catch (SubjectNotFoundException | SchemaNotFoundException e) {
                throw new SchemaNotFoundException("cannot serialize " + schema.getFullName() + " to subject '" + key.subject()
                        + "': the schema is not registered there and " + SerdeConfig.AUTO_REGISTER_SCHEMAS + " is false (" + e.getMessage() + ")");
            }
        }
        return new Plan(id, new SpecificDatumWriter<>(schema, model), schema, null);
    }

    /** How records of one schema are written to one subject. */
    private static final class Plan {
        record Key(String subject, Schema schema) {
        }

        private final int id;
        private final DatumWriter<SpecificRecord> writer;
        /** When set, the record is re-encoded into this (latest registered) schema. */
        private final Schema targetSchema;
        private final GenericDatumReader<Object> converter;
        private final GenericDatumWriter<Object> targetWriter;

        @SuppressWarnings({"unchecked", "rawtypes"})
        Plan(int id, SpecificDatumWriter<?> writer, Schema recordSchema, Schema targetSchema) {
            this.id = id;
            this.writer = (DatumWriter) writer;
            this.targetSchema = targetSchema;
            if (targetSchema != null) {
                this.converter = new GenericDatumReader<>(recordSchema, targetSchema, GenericData.get());
                this.targetWriter = new GenericDatumWriter<>(targetSchema, GenericData.get());
            } else {
                this.converter = null;
                this.targetWriter = null;
            }
        }

        byte[] write(SpecificRecord record) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                out.write(WireFormat.header(id));
                if (targetSchema == null) {
                    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                    writer.write(record, encoder);
                    encoder.flush();
                } else {
                    ByteArrayOutputStream own = new ByteArrayOutputStream(256);
                    BinaryEncoder ownEncoder = EncoderFactory.get().directBinaryEncoder(own, null);
                    writer.write(record, ownEncoder);
                    ownEncoder.flush();
                    Object converted = converter.read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
                    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                    targetWriter.write(converted, encoder);
                    encoder.flush();
                }
                return out.toByteArray();
            } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
                throw new SerializationException("cannot encode " + record.getSchema().getFullName() + " as Avro with schema id " + id
                        + ": " + e.getMessage(), e);
            }
        }
    }
}
