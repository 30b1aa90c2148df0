package org.spineoutcomes.events;

import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The common header fields of the three input event types (same names in every input schema),
 * read without caring which type it is.
 */
public final class EventFields {
    private EventFields() {}

    public static String patientId(SpecificRecord e) {
        return (String) field(e, "patientId");
    }

    public static String eventId(SpecificRecord e) {
        return (String) field(e, "eventId");
    }

    public static Instant occurredAt(SpecificRecord e) {
        return (Instant) field(e, "occurredAt");
    }

    public static Instant recordedAt(SpecificRecord e) {
        return (Instant) field(e, "recordedAt");
    }

    public static boolean isRetraction(SpecificRecord e) {
        return field(e, "retracts") != null;
    }

    /** The event id this event corrects, or null. */
    public static String corrects(SpecificRecord e) {
        return (String) field(e, "corrects");
    }

    /** The event id this event retracts, or null. */
    public static String retracts(SpecificRecord e) {
        return (String) field(e, "retracts");
    }

    private static Object field(SpecificRecord e, String name) {
        Schema.Field f = e.getSchema().getField(name);
        if (f == null) throw new IllegalArgumentException("not an input event (no " + name + "): " + e.getSchema().getFullName());
        return e.get(f.pos());
    }
}
