package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void headerIsMagicByteThenBigEndianId() {
        // 258 = 0x00000102
        assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x01, 0x02}, WireFormat.header(258));
        // 0x7fffffff, the largest id
        assertArrayEquals(new byte[] {0x00, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, WireFormat.header(Integer.MAX_VALUE));
    }

    @Test
    void schemaIdAndPayloadAreReadBack() {
        byte[] framed = WireFormat.frame(258, new byte[] {0x0a, 0x0b});
        assertArrayEquals(new byte[] {0x00, 0x00, 0x00, 0x01, 0x02, 0x0a, 0x0b}, framed);
        assertEquals(258, WireFormat.schemaIdOf(framed));
        assertArrayEquals(new byte[] {0x0a, 0x0b}, WireFormat.payloadOf(framed));
        assertEquals(2, WireFormat.payloadBufferOf(framed).remaining());
        // 0x01020304 = 16909060
        assertEquals(16_909_060, WireFormat.schemaIdOf(new byte[] {0, 1, 2, 3, 4}));
        assertTrue(WireFormat.hasHeader(framed));
    }

    @Test
    void jsonTextIsRejectedNamingTheFirstByte() {
        byte[] json = "{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        WireFormatException e = assertThrows(WireFormatException.class, () -> WireFormat.schemaIdOf(json));
        assertEquals("not Confluent wire format: first byte 0x7b ('{'), expected 0x00 (looks like JSON text)", e.getMessage());
        assertFalse(WireFormat.hasHeader(json));
    }

    @Test
    void nonPrintableFirstByteIsShownInHex() {
        WireFormatException e = assertThrows(WireFormatException.class, () -> WireFormat.schemaIdOf(new byte[] {(byte) 0xff, 0, 0, 0, 1, 2}));
        assertEquals("not Confluent wire format: first byte 0xff, expected 0x00", e.getMessage());
    }

    @Test
    void threeBytesAreTooShort() {
        WireFormatException e = assertThrows(WireFormatException.class, () -> WireFormat.schemaIdOf(new byte[] {0, 0, 1}));
        assertEquals("not Confluent wire format: 3 bytes received, at least 5 needed (magic byte 0x00 and a 4-byte schema id)", e.getMessage());
    }

    @Test
    void emptyAndNullAreRejected() {
        assertThrows(WireFormatException.class, () -> WireFormat.schemaIdOf(new byte[0]));
        assertThrows(WireFormatException.class, () -> WireFormat.schemaIdOf(null));
    }
}
