package org.spineoutcomes.serde;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format bytes into a SpecificRecord. The reader schema is the target
 * class's own schema; the writer schema is fetched by the id in the header (once, then cached)
 * and resolved against it, so records written with an older or newer compatible schema decode.
 * Null bytes become null (a tombstone).
 *
 * <p>Errors: {@link WireFormatException} for bytes without the header,
 * {@link UnknownSchemaIdException} for an id the registry does not know,
 * {@link WrongRecordTypeException} for a complete record of another record type (e.g. a ProcedureEvent
 * read as a FollowUpEvent),
 * {@link AvroDecodeException} for a payload that does not decode or a writer schema that cannot
 * be read as the target type, {@link SchemaRegistryException} when the registry cannot be asked.
 */
public class SpineAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private SchemaRegistryClient client;
    private Class<T> type;
    private boolean explicitlyBuilt;

    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    /** For Kafka's reflective creation: call {@link #configure(Map, boolean)} before use. */
    public SpineAvroDeserializer() {
    }

    public SpineAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this.client = Objects.requireNonNull(client, "client");
        this.type = Objects.requireNonNull(type, "type");
        this.explicitlyBuilt = true;
    }

    /**
     * Builds the client from {@code schema.registry.url} etc. and the target type from
     * {@code spine.avro.value.type} / {@code spine.avro.key.type}. Without a type, the class named
     * by each writer schema is used (Confluent's {@code specific.avro.reader=true} behaviour).
     */
    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (explicitlyBuilt) {
            return;
        }
        SerdeConfig config = new SerdeConfig(configs);
        this.client = SchemaRegistryClients.fromConfig(config);
        this.type = (Class<T>) config.recordType(isKey).map(c -> checkSpecificRecord(c, isKey ? SerdeConfig.KEY_TYPE : SerdeConfig.VALUE_TYPE)).orElse(null);
    }

    private static Class<?> checkSpecificRecord(Class<?> c, String key) {
        if (!SpecificRecord.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(key + ": " + c.getName() + " is not an Avro SpecificRecord");
        }
        return c;
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("SpineAvroDeserializer has no schema registry client: construct it with one or call configure()");
        }
        int schemaId = WireFormat.schemaIdOf(bytes);
        SpecificDatumReader<T> reader = readersByWriterId.get(schemaId);
        if (reader == null) {
            reader = readerFor(schemaId, bytes);
            readersByWriterId.putIfAbsent(schemaId, reader);
        }
        // A first pass that only skips: a length or count the payload cannot hold (a string "of 1 GB" in a
        // 20-byte record) ends it here, before the reading pass would allocate that much.
        checkShape(reader.getSchema(), bytes, schemaId);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new AvroDecodeException(schemaId, "Avro payload of " + (bytes.length - WireFormat.HEADER_LENGTH) + " bytes ends before a complete "
                    + reader.getSchema().getFullName() + " (writer schema id " + schemaId + ")", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException | NegativeArraySizeException | OutOfMemoryError e) {
            throw new AvroDecodeException(schemaId, "Avro payload does not decode with writer schema id " + schemaId + " ("
                    + reader.getSchema().getFullName() + "): " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new AvroDecodeException(schemaId, "Avro payload has bytes left over after a complete " + reader.getSchema().getFullName()
                        + " (writer schema id " + schemaId + "): the bytes were not written with that schema", null);
            }
        } catch (IOException e) {
            throw new AvroDecodeException(schemaId, "cannot check the end of the Avro payload (writer schema id " + schemaId + "): " + e.getMessage(), e);
        }
        return record;
    }

    /**
     * Skips one record of the writer schema over the payload: every length and item count is checked
     * against the bytes that are actually there, without allocating. Throws AvroDecodeException when the
     * payload ends early or does not decode; leftover bytes are reported by the reading pass.
     */
    private static void checkShape(Schema writerSchema, byte[] bytes, int schemaId) {
        if (!skips(writerSchema, bytes, false)) {
            throw new AvroDecodeException(schemaId, "Avro payload of " + (bytes.length - WireFormat.HEADER_LENGTH)
                    + " bytes does not hold a complete " + writerSchema.getFullName() + " (writer schema id " + schemaId
                    + "): it ends early or declares a length or count larger than the payload", null);
        }
    }

    /** True when the payload after the header skips as one complete record of the schema (and nothing more, if asked). */
    private static boolean skips(Schema schema, byte[] bytes, boolean toTheEnd) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH, null);
        try {
            GenericDatumReader.skip(schema, decoder);
            return !toTheEnd || decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private SpecificDatumReader<T> readerFor(int schemaId, byte[] bytes) {
        Schema writerSchema = client.getSchemaById(schemaId);
        Class<T> target = type;
        if (target == null) {
            Class<?> named = SpecificData.get().getClass(writerSchema);
            if (named == null || !SpecificRecord.class.isAssignableFrom(named)) {
                throw new AvroDecodeException(schemaId, "no SpecificRecord class " + writerSchema.getFullName() + " on the classpath for writer schema id "
                        + schemaId + "; set " + SerdeConfig.VALUE_TYPE + " (or " + SerdeConfig.KEY_TYPE + ")", null);
            }
            target = (Class<T>) named;
        }
        SpecificData model = SpecificData.getForClass(target);
        Schema readerSchema = model.getSchema(target);
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            if (!writerSchema.getFullName().equals(readerSchema.getFullName()) && skips(writerSchema, bytes, true)) {
                throw new WrongRecordTypeException(schemaId, writerSchema.getFullName(), readerSchema.getFullName());
            }
            throw new AvroDecodeException(schemaId, "writer schema id " + schemaId + " (" + writerSchema.getFullName() + ") cannot be read as "
                    + readerSchema.getFullName() + ": " + InMemorySchemaRegistryClient.describe(compatibility), null);
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema, model);
    }
}
