package org.spineoutcomes.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every released version of every schema (schemas/released/vN) must stay BACKWARD and FORWARD
 * compatible with the current schema (src/main/avro), checked with Avro's own SchemaCompatibility.
 * A failure names the schema, the version, the direction and the field that broke it.
 * Releasing: copy src/main/avro to released/v(N+1) when a version ships.
 */
class SchemaCompatibilityTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("released");

    /** Parses a schema directory: shared types in common/ first, then the records. */
    static Map<String, Schema> parseDir(Path dir) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new TreeMap<>();
        for (Path sub : List.of(dir.resolve("common"), dir)) {
            if (!Files.isDirectory(sub)) continue;
            try (Stream<Path> files = Files.list(sub)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
                    Schema s = parser.parse(f.toFile());
                    byName.put(s.getFullName(), s);
                }
            }
        }
        return byName;
    }

    static Stream<Path> releasedVersions() throws IOException {
        try (Stream<Path> dirs = Files.list(RELEASED)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "current schemas compatible with released {0}")
    @MethodSource("releasedVersions")
    void currentIsBackwardAndForwardCompatibleWithRelease(Path releaseDir) throws IOException {
        Map<String, Schema> current = parseDir(CURRENT);
        Map<String, Schema> released = parseDir(releaseDir);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Schema> e : released.entrySet()) {
            Schema now = current.get(e.getKey());
            if (now == null) {
                problems.add(e.getKey() + " was released in " + releaseDir.getFileName() + " but no longer exists");
                continue;
            }
            problems.addAll(check(e.getKey(), releaseDir.getFileName().toString(), now, e.getValue()));
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    /** BACKWARD: the new schema reads old data. FORWARD: the old schema reads new data. */
    static List<String> check(String name, String version, Schema current, Schema released) {
        List<String> problems = new ArrayList<>();
        describe(problems, name, version, "BACKWARD (current reads " + version + " data)",
                SchemaCompatibility.checkReaderWriterCompatibility(current, released));
        describe(problems, name, version, "FORWARD (" + version + " reads current data)",
                SchemaCompatibility.checkReaderWriterCompatibility(released, current));
        return problems;
    }

    private static void describe(List<String> problems, String name, String version, String direction, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) return;
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            problems.add(name + " " + direction + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
    }

    @Test
    void releasedIndexListsEveryReleasedFile() throws IOException {
        // released/index.txt is how FingerprintedAvro finds old writer schemas on the classpath.
        List<String> listed = Files.readAllLines(RELEASED.resolve("index.txt")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
        List<String> present;
        try (Stream<Path> files = Files.walk(RELEASED)) {
            present = files.filter(f -> f.toString().endsWith(".avsc"))
                    .map(f -> RELEASED.relativize(f).toString().replace('\\', '/')).sorted().toList();
        }
        assertEquals(present, listed, "released/index.txt must list every released .avsc (regenerate it when releasing)");
    }

    @Test
    void everyContractSchemaIsReleased() throws IOException {
        Map<String, Schema> current = parseDir(CURRENT);
        Map<String, Schema> v1 = parseDir(RELEASED.resolve("v1"));
        for (String record : List.of("ProcedureEvent", "ImagingEvent", "FollowUpEvent", "PatientOutcome", "ArmAggregate", "ArmComparison")) {
            assertTrue(current.containsKey("org.spineoutcomes.schema." + record), record + " in src/main/avro");
            assertTrue(v1.containsKey("org.spineoutcomes.schema." + record), record + " in released/v1");
        }
    }

    @Test
    void aRequiredFieldWithoutDefaultIsReportedByName() throws IOException {
        Schema released = parseDir(RELEASED.resolve("v1")).get("org.spineoutcomes.schema.FollowUpEvent");
        // Adding a field with no default: new readers cannot read old data (BACKWARD breaks).
        String json = released.toString().replaceFirst("\\{\"name\":\"painNrs\"",
                "{\"name\":\"painScaleVersion\",\"type\":\"int\",\"doc\":\"test\"},{\"name\":\"painNrs\"");
        Schema changed = new Schema.Parser().setValidateDefaults(false).parse(json);
        List<String> problems = check("FollowUpEvent", "v1", changed, released);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("painScaleVersion"), problems.get(0));
        assertTrue(problems.get(0).startsWith("FollowUpEvent BACKWARD"), problems.get(0));
    }

    @Test
    void addingAnOptionalFieldWithDefaultIsCompatibleBothWays() throws IOException {
        Schema released = parseDir(RELEASED.resolve("v1")).get("org.spineoutcomes.schema.FollowUpEvent");
        String json = released.toString().replaceFirst("\\{\"name\":\"painNrs\"",
                "{\"name\":\"painScaleVersion\",\"type\":[\"null\",\"int\"],\"default\":null},{\"name\":\"painNrs\"");
        Schema changed = new Schema.Parser().parse(json);
        assertEquals(List.of(), check("FollowUpEvent", "v1", changed, released));
    }
}
