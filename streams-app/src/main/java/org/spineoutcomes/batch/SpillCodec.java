package org.spineoutcomes.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.serde.AvroModels;

/**
 * How the partitioned batch keeps a valid event between its two passes: one byte for the event type, then the
 * event's Avro binary encoding. Decoding it is several times cheaper than parsing the NDJSON line again, and
 * the event comes back equal (Avro binary keeps every double's bits and every string).
 * {@link #encode} may run on any thread; a decoder instance belongs to one thread.
 */
final class SpillCodec {
    private static final EventType[] TYPES = EventType.values();

    private static final ThreadLocal<Encoding> ENCODING = ThreadLocal.withInitial(Encoding::new);

    private final Map<EventType, SpecificDatumReader<SpecificRecord>> readers = new EnumMap<>(EventType.class);
    private BinaryDecoder decoder;

    /** One thread's writers and buffer. */
    private static final class Encoding {
        final Map<EventType, SpecificDatumWriter<SpecificRecord>> writers = new EnumMap<>(EventType.class);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        BinaryEncoder encoder;
    }

    static byte[] encode(SpecificRecord event) {
        EventType type = typeOf(event);
        Encoding e = ENCODING.get();
        SpecificDatumWriter<SpecificRecord> writer = e.writers.computeIfAbsent(type,
                t -> new SpecificDatumWriter<>(t.schema(), AvroModels.forWriting(t.avroClass())));
        e.bytes.reset();
        e.bytes.write(type.ordinal());
        e.encoder = EncoderFactory.get().directBinaryEncoder(e.bytes, e.encoder);
        try {
            writer.write(event, e.encoder);
            e.encoder.flush();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return e.bytes.toByteArray();
    }

    SpecificRecord decode(byte[] encoded) {
        EventType type = TYPES[encoded[0]];
        SpecificDatumReader<SpecificRecord> reader = readers.computeIfAbsent(type, t -> new SpecificDatumReader<>(t.schema()));
        decoder = DecoderFactory.get().binaryDecoder(encoded, 1, encoded.length - 1, decoder);
        try {
            return reader.read(null, decoder);
        } catch (IOException x) {
            throw new UncheckedIOException("a spill file of this run is damaged", x);
        }
    }

    private static EventType typeOf(SpecificRecord event) {
        for (EventType t : TYPES) {
            if (t.avroClass().isInstance(event)) return t;
        }
        throw new IllegalArgumentException("not an input event: " + event.getClass().getName());
    }
}
