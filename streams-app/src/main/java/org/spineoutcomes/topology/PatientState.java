package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.FingerprintedAvro;

/**
 * A patient's state: the event log (every stored version, corrections resolved on read), the outcome
 * last published (from which the last cell contributions are recomputed) and the version of the rules
 * that computed it. The patient store keeps the outcome and version per patient; the events store one
 * entry per event id. Records are stored with their writer
 * schema's fingerprint ({@link FingerprintedAvro}), so state outlives a schema change.
 */
public record PatientState(PatientEventLog log, PatientOutcome outcome, int rulesVersion, byte[] outcomeBytes) {

    /** {@code outcomeBytes}: the outcome's single-object encoding, also its exact identity (equal bytes, equal outcome). */
    public PatientState {
        if (outcomeBytes == null && outcome != null) outcomeBytes = FingerprintedAvro.encode(outcome);
    }

    public PatientState(PatientEventLog log, PatientOutcome outcome, int rulesVersion) {
        this(log, outcome, rulesVersion, null);
    }

    private static final byte FORMAT = 3;

    public static Serde<PatientState> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }

    /**
     * Layout: format byte, rules version (int), outcome (empty when none). The event log is not part of
     * it: the patient step keeps one store entry per event id, so an event rewrites only its own entry
     * ({@link PatientEventLog#versionsToBytes}); {@link #fromBytes} gives a state with a null log.
     */
    public byte[] toBytes() {
        byte[] o = outcomeBytes == null ? new byte[0] : outcomeBytes;
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + 4 + o.length);
        buf.put(FORMAT).putInt(rulesVersion).putInt(o.length).put(o);
        return buf.array();
    }

    public static PatientState fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        checkFormat(buf.get());
        int rulesVersion = buf.getInt();
        byte[] outcomeBytes = new byte[buf.getInt()];
        buf.get(outcomeBytes);
        if (outcomeBytes.length == 0) return new PatientState(null, null, rulesVersion, null);
        PatientOutcome outcome = FingerprintedAvro.decode(PatientOutcome.class, outcomeBytes);
        // Identity under the current schema: re-encode an outcome an older schema wrote.
        boolean current = FingerprintedAvro.writtenWithCurrentSchema(PatientOutcome.class, outcomeBytes);
        return new PatientState(null, outcome, rulesVersion, current ? outcomeBytes : null);
    }

    /** The same state with its event log (after reading the two stores). */
    public PatientState withLog(PatientEventLog eventLog) {
        return new PatientState(eventLog, outcome, rulesVersion, outcomeBytes);
    }

    private static void checkFormat(byte format) {
        if (format != FORMAT) throw new IllegalStateException("unknown patient state format " + format);
    }
}
