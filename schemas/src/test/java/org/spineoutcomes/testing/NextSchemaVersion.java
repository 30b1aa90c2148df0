package org.spineoutcomes.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.serde.WireFormat;

/**
 * A next version of an event schema, as a producer might register it: the same record with one more
 * optional field at the end (default null), so BACKWARD compatible and read by the app as the event
 * it knows. A record written with it is the old record's Avro binary plus one byte (the null branch of
 * the new union), under the new version's schema id: its content is exactly the old record's.
 */
public final class NextSchemaVersion {
    /** The added field. */
    public static final String ADDED_FIELD = "producerNote";

    private NextSchemaVersion() {}

    /** {@code schema} with {@link #ADDED_FIELD} (union of null and string, default null) appended. */
    public static Schema of(Schema schema) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(ADDED_FIELD, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "A free-text note of the producer (added in the next version)", Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** Confluent-wire bytes of {@code event} written with the next version, registered as {@code nextVersionId}. */
    public static byte[] wireBytes(int nextVersionId, SpecificRecord event) {
        byte[] current = AvroBytes.of(event);
        // The added field comes last: its union branch 0 (null) is one zero byte after the current binary.
        return WireFormat.frame(nextVersionId, Arrays.copyOf(current, current.length + 1));
    }
}
