package org.spineoutcomes.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A registry in memory for TopologyTestDriver and unit tests. Ids start at 1 and are global (the
 * same schema under two subjects gets one id, as in Confluent's registry); versions start at 1
 * per subject. A new version must be BACKWARD compatible with the latest one (the new schema can
 * read data written with the previous), Confluent's default rule. Thread-safe.
 */
public class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    private final Map<String, List<RegisteredSchema>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, String> compatibilityBySubject = new HashMap<>();
    private int nextId = 1;

    /**
     * The registry shared by every serde configured with {@code schema.registry.url=mock://<scope>},
     * so a serializer and a deserializer created reflectively see the same schemas.
     */
    public static InMemorySchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
    }

    /** Forgets a mock scope (tests that want a fresh registry). */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        requireSubject(subject);
        requireSchema(schema);
        List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        for (RegisteredSchema version : versions) {
            if (version.schema().equals(schema)) {
                return version.id();
            }
        }
        if (!versions.isEmpty() && !"NONE".equals(compatibilityBySubject.get(subject))) {
            RegisteredSchema latest = versions.get(versions.size() - 1);
            SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest.schema());
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                throw new IncompatibleSchemaException("schema " + schema.getFullName() + " is not BACKWARD compatible with version "
                        + latest.version() + " (id " + latest.id() + ") of subject '" + subject + "': " + describe(result), 409);
            }
        }
        int id = idsBySchema.computeIfAbsent(schema, s -> {
            int assigned = nextId++;
            schemasById.put(assigned, s);
            return assigned;
        });
        versions.add(new RegisteredSchema(subject, versions.size() + 1, id, schema));
        return id;
    }

    @Override
    public synchronized Schema getSchemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new UnknownSchemaIdException(id, "in-memory registry holds ids 1.." + (nextId - 1));
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema getLatestVersion(String subject) {
        List<RegisteredSchema> versions = versionsOf(subject);
        return versions.get(versions.size() - 1);
    }

    @Override
    public synchronized int getId(String subject, Schema schema) {
        requireSchema(schema);
        for (RegisteredSchema version : versionsOf(subject)) {
            if (version.schema().equals(schema)) {
                return version.id();
            }
        }
        throw new SchemaNotFoundException("schema " + schema.getFullName() + " is not registered under subject '" + subject + "'");
    }

    @Override
    public synchronized boolean testCompatibility(String subject, Schema schema) {
        requireSchema(schema);
        List<RegisteredSchema> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            return true;
        }
        Schema latest = versions.get(versions.size() - 1).schema();
        return SchemaCompatibility.checkReaderWriterCompatibility(schema, latest).getType() == SchemaCompatibilityType.COMPATIBLE;
    }

    @Override
    public synchronized List<String> getAllSubjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    /** Only NONE (no check) and the default BACKWARD change what {@link #register} accepts; other levels are stored. */
    @Override
    public synchronized Optional<String> getCompatibility(String subject) {
        requireSubject(subject);
        return Optional.ofNullable(compatibilityBySubject.get(subject));
    }

    @Override
    public synchronized void setCompatibility(String subject, String level) {
        requireSubject(subject);
        compatibilityBySubject.put(subject, level.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /** All versions of a subject, oldest first. */
    public synchronized List<RegisteredSchema> getAllVersions(String subject) {
        return List.copyOf(versionsOf(subject));
    }

    private List<RegisteredSchema> versionsOf(String subject) {
        requireSubject(subject);
        List<RegisteredSchema> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SubjectNotFoundException("subject '" + subject + "' has no registered schema");
        }
        return versions;
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject is blank");
        }
    }

    private static void requireSchema(Schema schema) {
        if (schema == null) {
            throw new IllegalArgumentException("schema is null");
        }
    }

    static String describe(SchemaPairCompatibility result) {
        StringBuilder text = new StringBuilder();
        for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(incompatibility.getType()).append(" at ").append(incompatibility.getLocation())
                    .append(": ").append(incompatibility.getMessage());
        }
        return text.length() == 0 ? result.getDescription() : text.toString();
    }
}
