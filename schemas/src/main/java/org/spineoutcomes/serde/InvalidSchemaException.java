package org.spineoutcomes.serde;

/** The registry rejected the schema text as invalid (registry error_code 42201). */
public class InvalidSchemaException extends SchemaRegistryException {
    public InvalidSchemaException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}
