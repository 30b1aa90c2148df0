package org.spineoutcomes.serde;

import org.apache.kafka.common.errors.SerializationException;

/** The payload after the wire header does not decode with the writer schema it names, or that schema cannot be read as the expected type. */
public class AvroDecodeException extends SerializationException {
    private final int schemaId;

    public AvroDecodeException(int schemaId, String message, Throwable cause) {
        super(message, cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
