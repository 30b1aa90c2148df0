package org.spineoutcomes.validation;

/**
 * Machine-readable reasons a record is rejected (header {@code spine.reason} on spine.rejected.v1,
 * and the CLI / gateway summaries). One definition for producers, the stream and the batch command.
 */
public enum ReasonCode {
    /** Bytes that are not a Confluent-wire Avro record of a known schema, or text that is not valid JSON of the event shape. */
    UNDECODABLE,
    /**
     * A well-formed value of the wrong event type for its topic or line: an unknown NDJSON {@code "type"}, or a
     * Kafka record that decodes with the writer schema its id names, but that schema is not the topic's event type.
     */
    WRONG_EVENT_TYPE,
    /** Event id or patient id missing or blank. */
    MISSING_ID,
    /** A required field is missing. */
    MISSING_FIELD,
    /**
     * An identifier (event, patient, corrects, retracts id; the MRN before pseudonymisation) with a control or
     * invisible character (zero-width space, byte-order mark, bidi mark, ...), a non-ASCII space, or spaces
     * at either end ({@link InputLimits#identifierProblem}).
     */
    INVALID_IDENTIFIER,
    /** A value over its size limit: a string or identifier too long, a list with too many items, or (NDJSON) a whole line too long ({@link InputLimits}). */
    FIELD_TOO_LONG,
    /** A timestamp before 1990-01-01, more than one day after the processing clock, or (text inputs) without an offset. */
    INVALID_TIMESTAMP,
    /** A vertebral level outside T1-L5. */
    INVALID_LEVEL,
    /** Pain NRS not an integer 0-10. */
    INVALID_PAIN_NRS,
    /** Pain VAS outside 0-100 mm. */
    INVALID_PAIN_VAS,
    /** ODI outside 0-100. */
    INVALID_ODI,
    /** RMDQ outside 0..items, or items not 23 or 24. */
    INVALID_RMDQ,
    /** EQ-5D index outside [-1, 1]. */
    INVALID_EQ5D,
    /** Vertebral-body height outside [0, 60] mm. */
    INVALID_HEIGHT,
    /** Kyphotic angle outside [-30, 90] degrees. */
    INVALID_ANGLE,
    /** Age outside 0-120. */
    INVALID_AGE,
    /**
     * A non-finite or otherwise invalid number (e.g. negative cement volume), or (NDJSON) a number written
     * beyond the input limits (too many digits or too large an exponent, {@link InputLimits}) in a field
     * without a code of its own (a pain, ODI, RMDQ, EQ-5D, height, angle or age field gets its own code).
     */
    INVALID_VALUE,
    /** Complication type not in the ComplicationType enum. */
    UNKNOWN_COMPLICATION_TYPE,
    /** Both corrects and retracts set. */
    CORRECTS_AND_RETRACTS,
    /** One study measures the same level twice. */
    LEVEL_MEASURED_TWICE,
    /** A procedure with no mapped CPT code and no conservative-care start (R4). */
    UNKNOWN_CODE,
    /** An event id seen before with different content (R9). */
    DUPLICATE_ID_CONFLICT,
    /** The record key is not the event's patientId (the pseudonym); a patient's events must share one key to meet in one partition. */
    KEY_PATIENT_MISMATCH,
    /** An unexpected failure while processing a valid-looking record. */
    PROCESSING_ERROR
}
