package org.spineoutcomes.serde;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The Confluent wire format header: magic byte {@code 0x00}, then the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the record (no container, no sync markers).
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0x00;
    /** Magic byte plus the 4-byte schema id. */
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** The 5 header bytes for a schema id. */
    public static byte[] header(int schemaId) {
        byte[] header = new byte[HEADER_LENGTH];
        writeHeader(header, schemaId);
        return header;
    }

    /** Writes the header into the first 5 bytes of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        if (target.length < HEADER_LENGTH) {
            throw new IllegalArgumentException("target has " + target.length + " bytes, the header needs " + HEADER_LENGTH);
        }
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** Header followed by the Avro payload. */
    public static byte[] frame(int schemaId, byte[] avroPayload) {
        byte[] framed = new byte[HEADER_LENGTH + avroPayload.length];
        writeHeader(framed, schemaId);
        System.arraycopy(avroPayload, 0, framed, HEADER_LENGTH, avroPayload.length);
        return framed;
    }

    /** True when the bytes are at least a header long and start with the magic byte. */
    public static boolean hasHeader(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER_LENGTH && bytes[0] == MAGIC_BYTE;
    }

    /**
     * The schema id named by the header.
     *
     * @throws WireFormatException when the bytes are null, shorter than 5 bytes, or do not start with 0x00
     */
    public static int schemaIdOf(byte[] bytes) {
        checkHeader(bytes);
        return ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
    }

    /** The Avro payload after the header (a copy). */
    public static byte[] payloadOf(byte[] bytes) {
        checkHeader(bytes);
        return Arrays.copyOfRange(bytes, HEADER_LENGTH, bytes.length);
    }

    /** The Avro payload after the header as a read-only view, without copying. */
    public static ByteBuffer payloadBufferOf(byte[] bytes) {
        checkHeader(bytes);
        return ByteBuffer.wrap(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH).slice().asReadOnlyBuffer();
    }

    /**
     * Checks the header and explains in plain words what is wrong.
     *
     * @throws WireFormatException when the bytes cannot carry a header
     */
    public static void checkHeader(byte[] bytes) {
        if (bytes == null) {
            throw new WireFormatException("not Confluent wire format: no bytes (null)");
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new WireFormatException("not Confluent wire format: " + bytes.length + " byte" + (bytes.length == 1 ? "" : "s")
                    + " received, at least " + HEADER_LENGTH + " needed (magic byte 0x00 and a 4-byte schema id)"
                    + (bytes.length > 0 && bytes[0] != MAGIC_BYTE ? "; first byte " + describeByte(bytes[0]) : ""));
        }
        if (bytes[0] != MAGIC_BYTE) {
            throw new WireFormatException("not Confluent wire format: first byte " + describeByte(bytes[0]) + ", expected 0x00"
                    + (bytes[0] == '{' || bytes[0] == '[' ? " (looks like JSON text)" : ""));
        }
    }

    /** {@code 0x7b ('{')} for a printable ASCII byte, {@code 0xff} otherwise. */
    static String describeByte(byte b) {
        int unsigned = b & 0xff;
        String hex = String.format("0x%02x", unsigned);
        return unsigned >= 0x20 && unsigned < 0x7f ? hex + " ('" + (char) unsigned + "')" : hex;
    }
}
