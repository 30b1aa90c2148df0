package org.spineoutcomes.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The record names a schema id that the registry does not know. Deliberately not a
 * {@link SchemaRegistryException}: the registry answered, the record is at fault, so a
 * dead-letter handler can route it instead of retrying.
 */
public class UnknownSchemaIdException extends SerializationException {
    private final int schemaId;

    public UnknownSchemaIdException(int schemaId, String detail) {
        super("schema id " + schemaId + " is not in the schema registry" + (detail == null || detail.isBlank() ? "" : " (" + detail + ")"));
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
