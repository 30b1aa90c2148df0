package org.spineoutcomes.producer.simulate;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;

/**
 * Puts a simulated cohort into the order a registry's history would have it: by when the events were recorded,
 * patients interleaved. {@link CohortSimulator#run} emits patient by patient (each patient's events together,
 * a few of them late), which is the kindest order for a stream that folds a patient's events: a replay of a
 * real topic has a patient's follow-ups months apart, with thousands of other patients' events in between.
 *
 * <p>Each patient keeps the order the simulator gave its events (shuffled for some patients, on purpose): an
 * event's place is the latest recorded-at of its patient's events up to and including it, so an event sent
 * out of order travels with the one after it instead of being put back in order. Ties keep the simulator's order.
 * {@link #of} holds the whole cohort in memory (about a kilobyte per event); {@link #emit} puts the same order
 * together from a temporary file of the events' Avro bytes, with about 25 bytes of heap per event, so that a
 * million patients (11 M events) can be replayed in this order.
 */
public final class RecordedOrder {

    private RecordedOrder() {}

    /** The events reordered as described; {@code events} is not changed. */
    public static List<SpecificRecord> of(List<SpecificRecord> events) {
        int n = events.size();
        long[] place = new long[n];
        Places places = new Places();
        for (int i = 0; i < n; i++) place[i] = places.next(events.get(i));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // A stable sort: equal places keep the simulator's order.
        Arrays.sort(order, (a, b) -> Long.compare(place[a], place[b]));
        List<SpecificRecord> out = new ArrayList<>(n);
        for (Integer i : order) out.add(events.get(i));
        return out;
    }

    /**
     * Runs {@code simulator} and hands its events to {@code sink} in the order {@link #of} gives, without holding
     * them: each event's Avro bytes go to a temporary file (deleted at the end) as it is generated, with its place;
     * the places are sorted with the event's number as the tie-break (so the sort is stable), and the events are
     * read back in that order. Returns how many events were emitted.
     */
    public static long emit(CohortSimulator simulator, Consumer<SpecificRecord> sink) {
        Path file = null;
        try {
            file = Files.createTempFile("spine-recorded-order-", ".avro-bytes");
            Spool spool = new Spool(file);
            try (spool) {
                simulator.run(spool::add);
            }
            long[] keys = spool.sortKeys();
            Arrays.sort(keys);
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                for (long key : keys) sink.accept(spool.read(in, (int) (key & INDEX_MASK)));
            }
            return keys.length;
        } catch (IOException e) {
            throw new UncheckedIOException("spooling the cohort for the recorded order: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file: the system cleans it up
                }
            }
        }
    }

    /** An event's place: the latest recorded-at of its patient's events so far, this one included (in the simulator's order). */
    private static final class Places {
        private final Map<String, Long> latestByPatient = new HashMap<>();

        long next(SpecificRecord e) {
            long latest = Math.max(EventFields.recordedAt(e).toEpochMilli(),
                    latestByPatient.getOrDefault(EventFields.patientId(e), Long.MIN_VALUE));
            latestByPatient.put(EventFields.patientId(e), latest);
            return latest;
        }
    }

    /** Bits of a sort key that hold the event's number; the place (from the earliest) takes the bits above. */
    private static final int INDEX_BITS = 25;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    /** The events' bytes in generation order on disk; their offsets, types and places in primitive arrays. */
    private static final class Spool implements AutoCloseable {
        private final CountingStream out;
        private final BinaryEncoder encoder;
        private BinaryDecoder decoder;
        private Places placeOf = new Places();
        private final List<Schema> schemas = new ArrayList<>(4);
        private final List<DatumWriter<SpecificRecord>> writers = new ArrayList<>(4);
        private final List<DatumReader<SpecificRecord>> readers = new ArrayList<>(4);
        private long[] offsets = new long[1 << 16];
        private long[] places = new long[1 << 16];
        private byte[] types = new byte[1 << 16];
        private int n;

        Spool(Path file) throws IOException {
            out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20));
            encoder = EncoderFactory.get().binaryEncoder(out, null);
        }

        void add(SpecificRecord e) {
            if (n == INDEX_MASK) throw new IllegalStateException("more than " + INDEX_MASK + " events to put in recorded order");
            if (n + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                places = Arrays.copyOf(places, places.length * 2);
                types = Arrays.copyOf(types, types.length * 2);
            }
            int type = typeOf(e);
            try {
                writers.get(type).write(e, encoder);
                encoder.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            places[n] = placeOf.next(e);
            types[n] = (byte) type;
            n++;
            offsets[n] = out.count; // the end of this event, the start of the next
        }

        private int typeOf(SpecificRecord e) {
            Schema schema = e.getSchema();
            for (int i = 0; i < schemas.size(); i++) if (schemas.get(i) == schema || schemas.get(i).equals(schema)) return i;
            // The generated class's own model: it carries the conversions of its logical types (dates, instants).
            SpecificData model = SpecificData.getForClass(e.getClass());
            schemas.add(schema);
            writers.add(new SpecificDatumWriter<>(schema, model));
            readers.add(new SpecificDatumReader<>(schema, schema, model));
            return schemas.size() - 1;
        }

        /** Per event: its place counted from the earliest, shifted above its number (ascending = the order of {@link #of}). */
        long[] sortKeys() {
            long earliest = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) earliest = Math.min(earliest, places[i]);
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                long place = places[i] - earliest;
                if (place >= 1L << (63 - INDEX_BITS)) throw new IllegalStateException("recorded-at times span too long to sort: " + place + " ms");
                keys[i] = place << INDEX_BITS | i;
            }
            places = null;
            placeOf = null;
            return keys;
        }

        SpecificRecord read(FileChannel in, int i) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate((int) (offsets[i + 1] - offsets[i]));
            long at = offsets[i];
            while (buf.hasRemaining()) {
                int read = in.read(buf, at + buf.position());
                if (read < 0) throw new IOException("spool file ended early at event " + i);
            }
            decoder = DecoderFactory.get().binaryDecoder(buf.array(), decoder);
            return readers.get(types[i]).read(null, decoder);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
