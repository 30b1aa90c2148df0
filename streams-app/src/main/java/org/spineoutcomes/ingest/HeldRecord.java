package org.spineoutcomes.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * An input record the ingest step could not decode because the schema registry could not be asked:
 * kept as it came (where from, timestamp, key, value, headers) in a logged store until the registry
 * answers, then decoded as if it had just arrived.
 */
public record HeldRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {
    private static final int FORMAT_VERSION = 1;

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + length(key) + length(value));
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT_VERSION);
            writeBytes(out, topic.getBytes(StandardCharsets.UTF_8));
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(timestamp);
            writeBytes(out, key);
            writeBytes(out, value);
            Header[] all = headers == null ? new Header[0] : headers.toArray();
            out.writeInt(all.length);
            for (Header h : all) {
                writeBytes(out, h.key().getBytes(StandardCharsets.UTF_8)); // any length, unlike writeUTF
                writeBytes(out, h.value());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HeldRecord fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("held record: unknown format version " + version);
            }
            String topic = new String(readBytes(in), StandardCharsets.UTF_8);
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            RecordHeaders headers = new RecordHeaders();
            for (int i = in.readInt(); i > 0; i--) {
                headers.add(new String(readBytes(in), StandardCharsets.UTF_8), readBytes(in));
            }
            return new HeldRecord(topic, partition, offset, timestamp, key, value, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Serde<HeldRecord> serde() {
        return Serdes.serdeFrom((topic, r) -> r == null ? null : r.toBytes(), (topic, b) -> b == null ? null : fromBytes(b));
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
