package org.spineoutcomes.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** A held input record comes back exactly as it came, whatever its headers (a key over 64 KB too) and with null key or value. */
class HeldRecordTest {

    @Test
    void roundTripKeepsEveryByte() {
        RecordHeaders headers = new RecordHeaders();
        String longKey = "h".repeat(70_000);
        headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        headers.add(longKey, null);
        headers.add("trace", new byte[0]);
        HeldRecord in = new HeldRecord("spine.followups.v1", 2, 1L << 40, -1L, null, new byte[] {0, 0, 0, 0, 7, 1}, headers);

        HeldRecord out = HeldRecord.fromBytes(in.toBytes());
        assertEquals("spine.followups.v1", out.topic());
        assertEquals(2, out.partition());
        assertEquals(1L << 40, out.offset());
        assertEquals(-1L, out.timestamp());
        assertNull(out.key());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 7, 1}, out.value());
        assertEquals(3, out.headers().toArray().length);
        assertEquals("trace", out.headers().toArray()[0].key());
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), out.headers().toArray()[0].value());
        assertEquals(longKey, out.headers().toArray()[1].key());
        assertNull(out.headers().toArray()[1].value());
        assertArrayEquals(new byte[0], out.headers().lastHeader("trace").value());
    }
}
