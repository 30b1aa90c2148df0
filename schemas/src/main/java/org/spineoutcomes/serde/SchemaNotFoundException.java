package org.spineoutcomes.serde;

/** The schema is not registered under the subject (registry error_code 40403 on a lookup). */
public class SchemaNotFoundException extends SchemaRegistryException {
    public SchemaNotFoundException(String message) {
        super(message, 404, 40403);
    }
}
