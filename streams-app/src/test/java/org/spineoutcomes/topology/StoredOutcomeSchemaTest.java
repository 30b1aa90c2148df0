package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.ResolvedEvents;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.FingerprintedAvro;

/**
 * A patient's stored outcome written by release v1 (its schema had no new-fracture fields) is read back under the
 * current schema, and its identity bytes are those of the current encoding, so the next computation compares like with like.
 */
class StoredOutcomeSchemaTest {

    @Test
    void anOutcomeStoredUnderV1_isReadUnderTheCurrentSchema() throws Exception {
        PatientOutcome current = OutcomeEngine.compute(DEFAULT_PATIENT, ResolvedEvents.of(List.of(vertebroplasty("p1", INDEX)), List.of(),
                List.of(nrs("b", day(-2), 8), nrs("m", day(30), 3))));
        Schema v1 = releasedV1PatientOutcome();
        assertNotEquals(SchemaNormalization.parsingFingerprint64(v1), SchemaNormalization.parsingFingerprint64(PatientOutcome.getClassSchema()));

        // The same outcome as release v1 wrote it: current binary read as v1 (dropping the new fields), written with v1's fingerprint.
        byte[] currentBytes = FingerprintedAvro.encode(current);
        GenericRecord asV1 = new GenericDatumReader<GenericRecord>(PatientOutcome.getClassSchema(), v1, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(currentBytes, 10, currentBytes.length - 10, null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(SchemaNormalization.parsingFingerprint64(v1)).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1, GenericData.get()).write(asV1, enc);
        enc.flush();
        byte[] v1Bytes = out.toByteArray();

        PatientState stored = PatientState.fromBytes(new PatientState(null, null, 7, v1Bytes).toBytes());
        assertEquals(7, stored.rulesVersion());
        assertNotNull(stored.outcome());
        assertEquals(current.getPatientId(), stored.outcome().getPatientId());
        assertEquals(current.getIttArm(), stored.outcome().getIttArm());
        assertNull(stored.outcome().getNewFractureEvent()); // the field v1 did not have takes its default
        // The identity is the current encoding, not v1's bytes.
        assertArrayEquals(FingerprintedAvro.encode(stored.outcome()), stored.outcomeBytes());
        assertEquals(false, java.util.Arrays.equals(v1Bytes, stored.outcomeBytes()));
    }

    /** Release v1's PatientOutcome schema, parsed with the v1 types it names (the schemas jar packages them under released/). */
    private static Schema releasedV1PatientOutcome() throws java.io.IOException {
        ClassLoader loader = StoredOutcomeSchemaTest.class.getClassLoader();
        Schema.Parser parser = new Schema.Parser();
        Schema outcome = null;
        for (String line : new String(loader.getResourceAsStream("released/index.txt").readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String path = line.strip();
            if (!path.startsWith("v1/")) continue;
            Schema s = parser.parse(new String(loader.getResourceAsStream("released/" + path).readAllBytes(), StandardCharsets.UTF_8));
            if (s.getName().equals("PatientOutcome")) outcome = s;
        }
        return outcome;
    }
}
