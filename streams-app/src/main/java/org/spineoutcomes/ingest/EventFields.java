package org.spineoutcomes.ingest;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;

/** The common header fields of the three input event types, read without caring which type it is. */
public final class EventFields {
    private EventFields() {}

    public static String patientId(SpecificRecord e) {
        if (e instanceof ProcedureEvent p) return p.getPatientId();
        if (e instanceof ImagingEvent i) return i.getPatientId();
        if (e instanceof FollowUpEvent f) return f.getPatientId();
        throw new IllegalArgumentException("not an input event: " + e.getClass());
    }

    public static String eventId(SpecificRecord e) {
        if (e instanceof ProcedureEvent p) return p.getEventId();
        if (e instanceof ImagingEvent i) return i.getEventId();
        if (e instanceof FollowUpEvent f) return f.getEventId();
        throw new IllegalArgumentException("not an input event: " + e.getClass());
    }

    public static Instant occurredAt(SpecificRecord e) {
        if (e instanceof ProcedureEvent p) return p.getOccurredAt();
        if (e instanceof ImagingEvent i) return i.getOccurredAt();
        if (e instanceof FollowUpEvent f) return f.getOccurredAt();
        throw new IllegalArgumentException("not an input event: " + e.getClass());
    }

    public static boolean isRetraction(SpecificRecord e) {
        if (e instanceof ProcedureEvent p) return p.getRetracts() != null;
        if (e instanceof ImagingEvent i) return i.getRetracts() != null;
        if (e instanceof FollowUpEvent f) return f.getRetracts() != null;
        throw new IllegalArgumentException("not an input event: " + e.getClass());
    }
}
