package org.spineoutcomes.serde;

/**
 * The payload is a complete, well-formed record of the writer schema its id names, but that schema is
 * another record type than the one expected (e.g. a ProcedureEvent on the follow-ups topic). Unlike
 * other {@link AvroDecodeException}s, the bytes are fine; they are on the wrong topic.
 */
public class WrongRecordTypeException extends AvroDecodeException {
    private final String writerType;
    private final String expectedType;

    public WrongRecordTypeException(int schemaId, String writerType, String expectedType) {
        super(schemaId, "writer schema id " + schemaId + " (" + writerType + ") cannot be read as " + expectedType
                + ": the value is a complete record of that other type", null);
        this.writerType = writerType;
        this.expectedType = expectedType;
    }

    /** Full name of the writer schema's record, e.g. {@code org.spineoutcomes.schema.ProcedureEvent}. */
    public String writerType() {
        return writerType;
    }

    /** Full name of the record type the reader expected. */
    public String expectedType() {
        return expectedType;
    }
}
