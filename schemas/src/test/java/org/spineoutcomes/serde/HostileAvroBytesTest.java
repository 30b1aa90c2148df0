package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.testing.EventFixtures;

/** Bytes that name a real schema but lie about their content, and records on the wrong topic. */
class HostileAvroBytesTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final SpineAvroDeserializer<FollowUpEvent> followUps = new SpineAvroDeserializer<>(registry, FollowUpEvent.class);

    private byte[] header(int id) {
        return ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
    }

    @Test
    void aStringThatClaimsAGigabyteEndsQuicklyWithoutAllocatingIt() {
        int id = registry.register("spine.followups.v1-value", FollowUpEvent.getClassSchema());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(header(id));
        long zigzag = 1_000_000_000L << 1; // eventId: a string of 1e9 bytes, says the length prefix
        while ((zigzag & ~0x7FL) != 0) {
            bytes.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        bytes.write((int) zigzag);
        bytes.writeBytes(new byte[] {'a', 'b', 'c'});
        AvroDecodeException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(AvroDecodeException.class, () -> followUps.deserialize("t", bytes.toByteArray())));
        assertTrue(e.getMessage().contains("declares a length or count larger than the payload"), e.getMessage());
    }

    @Test
    void aTruncatedRecordIsUndecodableNotAWrongType() {
        SpineAvroSerializer<FollowUpEvent> serializer = new SpineAvroSerializer<>(registry);
        byte[] whole = serializer.serialize("spine.followups.v1", EventFixtures.completeFollowUp());
        AvroDecodeException e = assertThrows(AvroDecodeException.class,
                () -> followUps.deserialize("spine.followups.v1", Arrays.copyOf(whole, whole.length - 3)));
        assertEquals(AvroDecodeException.class, e.getClass());
    }

    @Test
    void aCompleteRecordOfAnotherEventTypeIsAWrongRecordType() {
        byte[] procedure = new SpineAvroSerializer<ProcedureEvent>(registry).serialize("spine.procedures.v1", EventFixtures.completeVertebroplasty());
        WrongRecordTypeException e = assertThrows(WrongRecordTypeException.class, () -> followUps.deserialize("spine.followups.v1", procedure));
        assertEquals("org.spineoutcomes.schema.ProcedureEvent", e.writerType());
        assertEquals("org.spineoutcomes.schema.FollowUpEvent", e.expectedType());
        // the same id with a cut payload is no record at all
        AvroDecodeException cut = assertThrows(AvroDecodeException.class,
                () -> followUps.deserialize("spine.followups.v1", Arrays.copyOf(procedure, procedure.length - 2)));
        assertEquals(AvroDecodeException.class, cut.getClass());
    }
}
