package org.spineoutcomes.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Exact equality of Avro records by their binary encoding. The generated equals() cannot be used on
 * decoded records: their arrays are GenericData.Array, whose equals() compares without the
 * logical-type conversions and throws on a LocalDate inside a union.
 */
public final class AvroBytes {
    private AvroBytes() {}

    public static byte[] of(SpecificRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) r.getClass();
            new SpecificDatumWriter<>(type).write(r, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when both are null, or both encode to the same bytes under the same schema. */
    public static boolean same(SpecificRecord a, SpecificRecord b) {
        if (a == null || b == null) return a == b;
        return a.getSchema().equals(b.getSchema()) && Arrays.equals(of(a), of(b));
    }
}
