package org.spineoutcomes.serde;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the serdes need. Implementations cache what
 * cannot change (an id's schema, a subject+schema's id) so the record hot path makes no call.
 */
public interface SchemaRegistryClient {

    /** A registered version of a subject. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    /**
     * Registers the schema under the subject (a no-op returning the existing id when it is already there).
     *
     * @return the schema id
     * @throws IncompatibleSchemaException when the subject's compatibility rule refuses it
     */
    int register(String subject, Schema schema);

    /**
     * @throws UnknownSchemaIdException when the registry has no schema with this id
     */
    Schema getSchemaById(int id);

    /**
     * @throws SubjectNotFoundException when the subject has no versions
     */
    RegisteredSchema getLatestVersion(String subject);

    /**
     * The id of a schema already registered under the subject, without registering it.
     *
     * @throws SubjectNotFoundException when the subject has no versions
     * @throws SchemaNotFoundException when the subject exists but this schema is not one of its versions
     */
    int getId(String subject, Schema schema);

    /**
     * Whether the schema could be registered as the subject's next version. True for a subject
     * with no versions yet (there is nothing to be incompatible with).
     */
    boolean testCompatibility(String subject, Schema schema);

    List<String> getAllSubjects();

    /**
     * The compatibility level set on the subject itself (e.g. {@code BACKWARD}), or empty when it has none
     * of its own (the registry's global level applies). Confluent API {@code GET /config/{subject}}.
     */
    Optional<String> getCompatibility(String subject);

    /**
     * Sets the subject's compatibility level (Confluent API {@code PUT /config/{subject}}); allowed before
     * the subject has any version. With {@code BACKWARD}, a new version must be able to read data written
     * with the latest one, so a schema of another record type is refused (409).
     */
    void setCompatibility(String subject, String level);
}
