package org.spineoutcomes.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversion;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro data model used to write generated records. It is the class's own model (with its
 * logical-type conversions) but with Avro's generated custom coders switched on, which write nested
 * records without the reflective field-by-field walk and union resolution. The bytes are the same
 * Avro binary encoding either way (a record whose schema has logical types keeps the generic path).
 * Avro leaves custom coders off unless a system property asks for them; the writers here ask for
 * them explicitly instead.
 */
public final class AvroModels {
    private AvroModels() {}

    private static final Map<Class<?>, SpecificData> WRITE_MODELS = new ConcurrentHashMap<>();

    /** The model to write records of {@code type} with. */
    public static SpecificData forWriting(Class<?> type) {
        return WRITE_MODELS.computeIfAbsent(type, t -> {
            SpecificData own = SpecificData.getForClass(t);
            SpecificData fast = new SpecificData(t.getClassLoader());
            for (Conversion<?> c : own.getConversions()) fast.addLogicalTypeConversion(c);
            fast.setCustomCoders(true);
            return fast;
        });
    }
}
