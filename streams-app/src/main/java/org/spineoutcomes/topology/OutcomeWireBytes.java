package org.spineoutcomes.topology;

import java.util.Arrays;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serializer;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * The Confluent-wire bytes of a patient outcome (magic 0, schema id, Avro binary) made from the
 * single-object encoding the patient step already computed for its state (marker, fingerprint, the
 * same Avro binary): the header is swapped instead of encoding the outcome a second time, which was
 * a tenth of the patient step. The first outcome goes through the topic's real serializer (which
 * registers or looks up the schema id); the fast path is used only if its Avro binary is the same as
 * ours, byte for byte, else every outcome keeps going through the serializer.
 */
final class OutcomeWireBytes implements BiFunction<PatientOutcome, byte[], byte[]> {
    private static final int SINGLE_OBJECT_HEADER = 10;
    private static final int WIRE_HEADER = 5;

    private final String topic;
    private final Serializer<PatientOutcome> serializer;
    // Shared by the stream threads: at worst two threads both check on their first outcome.
    private volatile byte[] wireHeader;
    private volatile boolean checked;

    OutcomeWireBytes(String topic, Serializer<PatientOutcome> serializer) {
        this.topic = topic;
        this.serializer = serializer;
    }

    @Override
    public byte[] apply(PatientOutcome outcome, byte[] singleObject) {
        byte[] header = wireHeader;
        if (header != null) {
            byte[] out = new byte[WIRE_HEADER + singleObject.length - SINGLE_OBJECT_HEADER];
            System.arraycopy(header, 0, out, 0, WIRE_HEADER);
            System.arraycopy(singleObject, SINGLE_OBJECT_HEADER, out, WIRE_HEADER, singleObject.length - SINGLE_OBJECT_HEADER);
            return out;
        }
        byte[] wire = serializer.serialize(topic, outcome);
        if (!checked) {
            checked = true;
            boolean sameBinary = Arrays.equals(wire, WIRE_HEADER, wire.length, singleObject, SINGLE_OBJECT_HEADER, singleObject.length);
            if (sameBinary) wireHeader = Arrays.copyOf(wire, WIRE_HEADER);
        }
        return wire;
    }
}
