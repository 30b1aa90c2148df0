package org.spineoutcomes.serde;

/** The subject has no registered versions (registry error_code 40401). */
public class SubjectNotFoundException extends SchemaRegistryException {
    public SubjectNotFoundException(String message) {
        super(message, 404, 40401);
    }
}
