package org.spineoutcomes.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro data model used to write generated records. It is the class's own model (with its
 * logical-type conversions) but with Avro's generated custom coders switched on, which write nested
 * records without the reflective field-by-field walk and union resolution. The bytes are the same
 * Avro binary encoding either way (a record whose schema has logical types keeps the generic path).
 * Avro leaves custom coders off unless a system property asks for them; the writers here ask for
 * them explicitly instead.
 *
 * <p>The model also picks the branch of a nullable union ({@code ["null", T]} or {@code [T, "null"]}) by
 * a null check: Avro's own resolution looks the value's type name up in two hash maps, which was over a
 * third of writing a patient outcome (its arrays hold records with nullable fields). A generated record
 * only holds a T or null there, so the branch, and the bytes, are the same.
 */
public final class AvroModels {
    private AvroModels() {}

    private static final Map<Class<?>, SpecificData> WRITE_MODELS = new ConcurrentHashMap<>();

    /** The model to write records of {@code type} with. */
    public static SpecificData forWriting(Class<?> type) {
        return WRITE_MODELS.computeIfAbsent(type, t -> {
            SpecificData own = SpecificData.getForClass(t);
            SpecificData fast = new SpecificData(t.getClassLoader()) {
                @Override
                public int resolveUnion(Schema union, Object datum) {
                    java.util.List<Schema> types = union.getTypes();
                    if (types.size() == 2) {
                        if (types.get(0).getType() == Schema.Type.NULL) return datum == null ? 0 : 1;
                        if (types.get(1).getType() == Schema.Type.NULL) return datum == null ? 1 : 0;
                    }
                    return super.resolveUnion(union, datum);
                }
            };
            for (Conversion<?> c : own.getConversions()) fast.addLogicalTypeConversion(c);
            fast.setCustomCoders(true);
            return fast;
        });
    }
}
