package org.spineoutcomes.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker C3 01, the writer schema's 8-byte CRC-64-AVRO fingerprint,
 * then Avro binary) for values kept in state stores. Unlike bare Avro binary, a stored value names
 * its writer schema, so state written by an older release is still read after a schema change:
 * the fingerprint is looked up among the current schemas and every released version packaged under
 * {@code released/} (listed in {@code released/index.txt}), and Avro resolves it to the current one.
 */
public final class FingerprintedAvro {
    private FingerprintedAvro() {}

    private static final SchemaStore.Cache KNOWN = new SchemaStore.Cache();
    private static final Map<Class<?>, Long> FINGERPRINTS = new ConcurrentHashMap<>();

    static {
        for (Schema s : releasedSchemas()) KNOWN.addSchema(s);
    }

    /** Writer, fingerprint and reusable buffers of one record class on one thread. */
    private static final class Writer {
        final org.apache.avro.specific.SpecificDatumWriter<SpecificRecord> datum;
        final byte[] header = new byte[10];
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1024);
        org.apache.avro.io.BinaryEncoder encoder;

        Writer(Class<?> type, Schema schema) {
            datum = new org.apache.avro.specific.SpecificDatumWriter<>(schema, AvroModels.forWriting(type));
            long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
            header[0] = (byte) 0xC3;
            header[1] = (byte) 0x01;
            for (int i = 0; i < 8; i++) header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian, as the spec says
        }
    }

    // Encoding runs on every state write; Avro's BinaryMessageEncoder allocates per call, so keep one
    // writer and buffer per class and thread instead (same bytes).
    private static final ThreadLocal<Map<Class<?>, Writer>> WRITERS = ThreadLocal.withInitial(java.util.HashMap::new);

    /** Single-object encoding of a generated record with its current schema. */
    public static byte[] encode(SpecificRecord record) {
        Writer w = WRITERS.get().computeIfAbsent(record.getClass(), c -> new Writer(c, record.getSchema()));
        w.out.reset();
        w.out.write(w.header, 0, w.header.length);
        w.encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(w.out, w.encoder);
        try {
            w.datum.write(record, w.encoder);
            w.encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.out.toByteArray();
    }

    /** Whether the bytes were written with the current schema of {@code type} (no resolution needed). */
    public static boolean writtenWithCurrentSchema(Class<? extends SpecificRecord> type, byte[] bytes) {
        long fingerprint = currentFingerprint(type);
        if (bytes.length < 10) return false;
        for (int i = 0; i < 8; i++) if (bytes[2 + i] != (byte) (fingerprint >>> (8 * i))) return false;
        return true;
    }

    private static long currentFingerprint(Class<?> type) {
        return FINGERPRINTS.computeIfAbsent(type, t -> SchemaNormalization.parsingFingerprint64(SpecificData.get().getSchema(t)));
    }

    /**
     * Decodes bytes written by {@link #encode} with this or any released schema version of {@code type}.
     *
     * @throws IllegalArgumentException when the bytes are not single-object encoded or name an unknown schema
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T decode(Class<T> type, byte[] bytes) {
        try {
            if (bytes.length < HEADER_LENGTH || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
                throw new IllegalArgumentException("stored " + type.getSimpleName() + " is not readable: no single-object header");
            }
            long fingerprint = 0;
            for (int i = 7; i >= 0; i--) fingerprint = (fingerprint << 8) | (bytes[2 + i] & 0xFF);
            DatumReader<SpecificRecord> reader = readerFor(type, fingerprint);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, DECODER.get());
            DECODER.set(decoder);
            return (T) reader.read(null, decoder);
        } catch (IOException | org.apache.avro.AvroRuntimeException e) {
            throw new IllegalArgumentException("stored " + type.getSimpleName() + " is not readable: " + e.getMessage(), e);
        }
    }

    private static final int HEADER_LENGTH = 10;
    /**
     * Readers per record class and writer fingerprint. Avro's own BinaryMessageDecoder reads through a direct
     * (unbuffered) decoder over an input stream, a synchronized call per byte read; a buffered decoder over the
     * array reads the same bytes about twice as fast (JMH outcomeDecode), and a read-back of a patient's outcome
     * is on the stream's busiest path.
     */
    private static final Map<Class<?>, Map<Long, DatumReader<SpecificRecord>>> READERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    @SuppressWarnings("unchecked")
    private static DatumReader<SpecificRecord> readerFor(Class<?> type, long fingerprint) {
        Map<Long, DatumReader<SpecificRecord>> byFingerprint = READERS.computeIfAbsent(type, t -> new ConcurrentHashMap<>());
        DatumReader<SpecificRecord> reader = byFingerprint.get(fingerprint);
        if (reader != null) return reader;
        Schema current = SpecificData.get().getSchema(type);
        Schema writer = fingerprint == currentFingerprint(type) ? current : KNOWN.findByFingerprint(fingerprint);
        if (writer == null) {
            throw new IllegalArgumentException("stored " + type.getSimpleName() + " is not readable: written with an unknown schema (fingerprint "
                    + Long.toHexString(fingerprint) + ")");
        }
        reader = (DatumReader<SpecificRecord>) SpecificData.getForClass(type).createDatumReader(writer, current);
        byFingerprint.put(fingerprint, reader);
        return reader;
    }

    /** Every schema of every released version, parsed per version (shared types first, as listed). */
    static List<Schema> releasedSchemas() {
        java.util.ArrayList<Schema> out = new java.util.ArrayList<>();
        String index = resource("released/index.txt");
        if (index == null) return out;
        Map<String, Schema.Parser> parsers = new java.util.HashMap<>();
        for (String line : index.split("\n")) {
            String path = line.strip();
            if (path.isEmpty() || path.startsWith("#")) continue;
            String version = path.substring(0, path.indexOf('/'));
            String text = resource("released/" + path);
            if (text == null) throw new IllegalStateException("released/index.txt names a missing schema: " + path);
            out.add(parsers.computeIfAbsent(version, v -> new Schema.Parser()).parse(text));
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = FingerprintedAvro.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
