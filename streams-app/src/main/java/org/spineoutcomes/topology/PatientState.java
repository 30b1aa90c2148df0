package org.spineoutcomes.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * What the patient store keeps per patient: the event log (all valid events, corrections resolved
 * on read) and the outcome last published, from which the last cell contributions are recomputed.
 */
public record PatientState(PatientEventLog log, PatientOutcome outcome) {

    private static final byte VERSION = 1;

    public static Serde<PatientState> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }

    public byte[] toBytes() {
        byte[] logBytes = log.toBytes();
        byte[] outcomeBytes = outcome == null ? new byte[0] : encode(outcome);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + logBytes.length + 4 + outcomeBytes.length);
        buf.put(VERSION).putInt(logBytes.length).put(logBytes).putInt(outcomeBytes.length).put(outcomeBytes);
        return buf.array();
    }

    public static PatientState fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte v = buf.get();
        if (v != VERSION) throw new IllegalStateException("unknown patient state version " + v);
        byte[] logBytes = new byte[buf.getInt()];
        buf.get(logBytes);
        byte[] outcomeBytes = new byte[buf.getInt()];
        buf.get(outcomeBytes);
        return new PatientState(PatientEventLog.fromBytes(logBytes), outcomeBytes.length == 0 ? null : decode(outcomeBytes));
    }

    /** The outcome's Avro binary encoding (also its exact identity: equal bytes, equal outcome). */
    static byte[] encode(PatientOutcome o) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(PatientOutcome.class).write(o, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PatientOutcome decode(byte[] b) {
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(b, null);
            return new SpecificDatumReader<>(PatientOutcome.class).read(null, dec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
