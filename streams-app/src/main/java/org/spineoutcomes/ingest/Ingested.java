package org.spineoutcomes.ingest;

/**
 * What the ingest step hands on: a decoded, field-valid event for the patient step, or a dead
 * letter. Only forwarded in-process, never serialised.
 */
public sealed interface Ingested {
    /** A decoded, field-valid event, keyed by patient. */
    record Accepted(IngestedEvent event) implements Ingested {}

    /** A record for spine.rejected.v1. */
    record Rejected(DeadLetter deadLetter) implements Ingested {}
}
