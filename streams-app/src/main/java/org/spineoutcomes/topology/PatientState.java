package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.FingerprintedAvro;

/**
 * What the patient store keeps per patient: the event log (every stored version, corrections
 * resolved on read), the outcome last published (from which the last cell contributions are
 * recomputed) and the version of the rules that computed it. Records are stored with their writer
 * schema's fingerprint ({@link FingerprintedAvro}), so state outlives a schema change.
 */
public record PatientState(PatientEventLog log, PatientOutcome outcome, int rulesVersion) {

    private static final byte FORMAT = 2;

    public static Serde<PatientState> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }

    /** Layout: format byte, rules version (int), event log, outcome (empty when none). */
    public byte[] toBytes() {
        byte[] logBytes = log.toBytes();
        byte[] outcomeBytes = outcome == null ? new byte[0] : FingerprintedAvro.encode(outcome);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + 4 + logBytes.length + 4 + outcomeBytes.length);
        buf.put(FORMAT).putInt(rulesVersion).putInt(logBytes.length).put(logBytes).putInt(outcomeBytes.length).put(outcomeBytes);
        return buf.array();
    }

    /** The rules version of stored bytes without decoding the events (the recompute scan reads only this). */
    public static int rulesVersionOf(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        checkFormat(buf.get());
        return buf.getInt();
    }

    public static PatientState fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        checkFormat(buf.get());
        int rulesVersion = buf.getInt();
        byte[] logBytes = new byte[buf.getInt()];
        buf.get(logBytes);
        byte[] outcomeBytes = new byte[buf.getInt()];
        buf.get(outcomeBytes);
        PatientOutcome outcome = outcomeBytes.length == 0 ? null : FingerprintedAvro.decode(PatientOutcome.class, outcomeBytes);
        return new PatientState(PatientEventLog.fromBytes(logBytes), outcome, rulesVersion);
    }

    private static void checkFormat(byte format) {
        if (format != FORMAT) throw new IllegalStateException("unknown patient state format " + format);
    }

    /** The outcome's plain Avro binary: its exact identity (equal bytes, equal outcome). */
    static byte[] identity(PatientOutcome o) {
        return FingerprintedAvro.encode(o);
    }
}
