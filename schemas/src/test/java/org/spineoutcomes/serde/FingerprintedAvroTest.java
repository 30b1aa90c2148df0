package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;

class FingerprintedAvroTest {

    private static FollowUpEvent followUp() {
        return FollowUpEvent.newBuilder().setEventId("f1").setPatientId("p1")
                .setOccurredAt(Instant.parse("2025-03-01T10:00:00Z")).setRecordedAt(Instant.parse("2025-03-01T11:00:00Z"))
                .setSourceSystem("test").setPainNrs(4).build();
    }

    @Test
    void roundTrip_startsWithMarkerAndTheSchemaFingerprint() {
        FollowUpEvent f = followUp();
        byte[] bytes = FingerprintedAvro.encode(f);
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(SchemaNormalization.parsingFingerprint64(FollowUpEvent.getClassSchema()), fingerprint);
        assertEquals(f, FingerprintedAvro.decode(FollowUpEvent.class, bytes));
    }

    @Test
    void releasedVersionsAreKnown() {
        // v1 is released; its record schemas are among the known writer schemas.
        List<Schema> released = FingerprintedAvro.releasedSchemas();
        assertEquals(true, released.stream().anyMatch(s -> s.getFullName().equals(FollowUpEvent.getClassSchema().getFullName())));
    }

    @Test
    void unknownWriterSchema_isRefusedWithTheTypeName() throws Exception {
        // A value written with a schema that is neither current nor released cannot be resolved.
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord r = new GenericData.Record(other);
        r.put("x", 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(SchemaNormalization.parsingFingerprint64(other)).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(other).write(r, enc);
        enc.flush();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FingerprintedAvro.decode(FollowUpEvent.class, out.toByteArray()));
        assertEquals(true, e.getMessage().contains("FollowUpEvent"), e.getMessage());
    }

    @Test
    void truncatedOrHeaderlessBytes_areRefusedWithTheTypeName() {
        byte[] bytes = FingerprintedAvro.encode(followUp());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> FingerprintedAvro.decode(FollowUpEvent.class, truncated));
        assertEquals(true, cut.getMessage().startsWith("stored FollowUpEvent is not readable"), cut.getMessage());
        byte[] noMarker = bytes.clone();
        noMarker[0] = 0;
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class, () -> FingerprintedAvro.decode(FollowUpEvent.class, noMarker));
        assertEquals("stored FollowUpEvent is not readable: no single-object header", header.getMessage());
    }

    @Test
    void decodingFromOneThreadAfterAnother_givesEachItsOwnValue() throws Exception {
        // The buffered decoder is reused per thread: a decode must not see the previous value's bytes.
        FollowUpEvent a = followUp();
        FollowUpEvent b = FollowUpEvent.newBuilder(a).setEventId("f2-longer-id").setPainNrs(9).build();
        byte[] ab = FingerprintedAvro.encode(a);
        byte[] bb = FingerprintedAvro.encode(b);
        assertEquals(b, FingerprintedAvro.decode(FollowUpEvent.class, bb));
        assertEquals(a, FingerprintedAvro.decode(FollowUpEvent.class, ab));
        FollowUpEvent[] other = new FollowUpEvent[1];
        Thread t = new Thread(() -> other[0] = FingerprintedAvro.decode(FollowUpEvent.class, bb));
        t.start();
        t.join();
        assertEquals(b, other[0]);
        assertEquals(a, FingerprintedAvro.decode(FollowUpEvent.class, ab));
    }
}
