package org.spineoutcomes.ndjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/** The files under /samples (repository root) are what a new user sends first: they must behave as documented. */
class SamplesTest {

    private static final Path SAMPLES = Path.of("..", "samples");
    private final NdjsonReader reader = new NdjsonReader();
    private final NdjsonCodec codec = new NdjsonCodec();

    @Test
    void everySampleEventParsesAndIsValidNow() throws Exception {
        List<CheckedLine> lines;
        try (Stream<CheckedLine> s = reader.checkedLines(SAMPLES.resolve("events.ndjson"), Instant.now())) {
            lines = s.toList();
        }
        List<String> problems = lines.stream().filter(l -> !l.valid()).map(CheckedLine::errorText).toList();
        assertEquals(List.of(), problems);
        // 51 event lines = 7 procedures + 15 imaging + 29 follow-ups (grep -c '"type": "imaging"' etc.)
        assertEquals(51, lines.size());
        Map<EventType, Long> byType = lines.stream().collect(Collectors.groupingBy(CheckedLine::type, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of(EventType.PROCEDURE, 7L, EventType.IMAGING, 15L, EventType.FOLLOWUP, 29L), byType);
        Set<String> patients = lines.stream().map(l -> patientOf(l.event())).collect(Collectors.toSet());
        assertEquals(Set.of("MRN-000101", "MRN-000102", "MRN-000103", "MRN-000104", "MRN-000105", "MRN-000106"), patients);
        long uniqueIds = lines.stream().map(l -> String.valueOf(l.event().get(0))).distinct().count();
        assertEquals(51, uniqueIds);
    }

    @Test
    void everySampleEventSurvivesFormatAndParse() throws Exception {
        try (Stream<NdjsonLine> s = reader.lines(SAMPLES.resolve("events.ndjson"))) {
            s.forEach(line -> {
                SpecificRecord event = ((ParseResult.Parsed) line.result()).event();
                ParseResult again = codec.parse(codec.format(event), line.lineNumber());
                assertEquals(event, ((ParseResult.Parsed) again).event(), "line " + line.lineNumber());
            });
        }
    }

    /** Each event line of invalid-events.ndjson follows "# expect: REASON field"; the first violation must match. */
    @Test
    void everyInvalidSampleGivesItsDocumentedReasonAndField() throws Exception {
        Path file = SAMPLES.resolve("invalid-events.ndjson");
        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<Long, String> expected = new TreeMap<>();
        for (int i = 0; i < raw.size(); i++) {
            if (raw.get(i).startsWith("# expect: ")) expected.put((long) i + 2, raw.get(i).substring("# expect: ".length()).trim());
        }
        List<CheckedLine> lines;
        try (Stream<CheckedLine> s = reader.checkedLines(file, Instant.now())) {
            lines = s.toList();
        }
        assertEquals(expected.size(), lines.size(), "every event line needs an expectation comment");
        List<String> mismatches = new ArrayList<>();
        Set<ReasonCode> covered = new java.util.HashSet<>();
        for (CheckedLine line : lines) {
            String want = expected.get(line.lineNumber());
            if (line.valid()) {
                mismatches.add("line " + line.lineNumber() + " is valid, expected " + want);
                continue;
            }
            Violation first = line.firstViolation();
            String got = first.reason() + " " + (first.field() == null ? "-" : first.field());
            if (!got.equals(want)) mismatches.add("line " + line.lineNumber() + ": expected " + want + ", got " + line.errorText());
            covered.add(first.reason());
        }
        assertEquals(List.of(), mismatches);
        // every code one line of a file can earn is demonstrated; codes needing state or a Kafka record
        // (DUPLICATE_ID_CONFLICT, KEY_PATIENT_MISMATCH, PROCESSING_ERROR) cannot be shown by one line
        Set<ReasonCode> lineCodes = java.util.EnumSet.range(ReasonCode.UNDECODABLE, ReasonCode.UNKNOWN_CODE);
        assertEquals(lineCodes, covered);
    }

    private static String patientOf(SpecificRecord event) {
        return String.valueOf(event.get(event.getSchema().getField("patientId").pos()));
    }
}
