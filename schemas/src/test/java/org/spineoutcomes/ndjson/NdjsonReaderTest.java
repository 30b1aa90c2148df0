package org.spineoutcomes.ndjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.validation.ReasonCode;

class NdjsonReaderTest {

    private static final String HEAD = "{\"type\": \"followup\", \"eventId\": \"fu-%d\", \"patientId\": \"MRN-000123\", "
            + "\"occurredAt\": \"2024-03-01T09:30:00Z\", \"recordedAt\": \"2024-03-01T09:35:00Z\", \"sourceSystem\": \"s\", \"painNrs\": %s}";

    private final NdjsonReader reader = new NdjsonReader();

    @Test
    void skipsBlankAndCommentLinesButCountsThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("in.ndjson");
        // line 1 comment, 2 event, 3 blank, 4 indented comment, 5 event (CRLF), 6 event with 7.5, no final newline
        String text = "# header\n" + HEAD.formatted(1, "4") + "\n\n   # note\r\n" + HEAD.formatted(2, "5") + "\r\n" + HEAD.formatted(3, "7.5");
        Files.writeString(file, text);
        List<NdjsonLine> lines;
        try (Stream<NdjsonLine> s = reader.lines(file)) {
            lines = s.toList();
        }
        assertEquals(List.of(2L, 5L, 6L), lines.stream().map(NdjsonLine::lineNumber).toList());
        FollowUpEvent second = (FollowUpEvent) ((ParseResult.Parsed) lines.get(1).result()).event();
        assertEquals("fu-2", second.getEventId());
        assertEquals(file + ":6: field painNrs: painNrs is 7.5; it must be a whole number. [INVALID_PAIN_NRS]",
                lines.get(2).errorText());
        assertEquals("", lines.get(0).errorText());
    }

    @Test
    void invalidUtf8LineIsUndecodableAndReadingContinues() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0xEF); bytes.write(0xBB); bytes.write(0xBF); // byte-order mark, tolerated on line 1
        bytes.write(HEAD.formatted(1, "4").getBytes(StandardCharsets.UTF_8));
        bytes.write('\n');
        bytes.write("{\"type\": \"followup\", \"eventId\": \"".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3); bytes.write(0x28); // invalid two-byte sequence
        bytes.write("\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.write(HEAD.formatted(3, "6").getBytes(StandardCharsets.UTF_8));
        List<NdjsonLine> lines;
        try (Stream<NdjsonLine> s = reader.lines(new ByteArrayInputStream(bytes.toByteArray()), "-")) {
            lines = s.toList();
        }
        assertEquals(3, lines.size());
        assertInstanceOf(ParseResult.Parsed.class, lines.get(0).result());
        ParseResult.ParseError bad = assertInstanceOf(ParseResult.ParseError.class, lines.get(1).result());
        assertEquals(ReasonCode.UNDECODABLE, bad.reason());
        assertEquals(2, bad.lineNumber());
        assertInstanceOf(ParseResult.Parsed.class, lines.get(2).result());
    }

    @Test
    void checkedLinesCombineParseErrorsAndViolations(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mixed.ndjson");
        String nrs11 = HEAD.formatted(2, "11").replace("2024-03-01T09:30:00Z", "1985-03-01T09:30:00Z");
        Files.writeString(file, HEAD.formatted(1, "4") + "\n" + nrs11 + "\n" + "not json\n");
        List<CheckedLine> lines;
        try (Stream<CheckedLine> s = reader.checkedLines(file, EventFixtures.VALIDATION_CLOCK)) {
            lines = s.toList();
        }
        assertTrue(lines.get(0).valid());
        assertEquals(EventType.FOLLOWUP, lines.get(0).type());
        CheckedLine invalid = lines.get(1);
        assertEquals(List.of("occurredAt", "painNrs"), invalid.violations().stream().map(v -> v.field()).toList());
        assertEquals(ReasonCode.INVALID_TIMESTAMP, invalid.firstViolation().reason());
        String[] text = invalid.errorText().split(System.lineSeparator());
        assertEquals(file + ":2: field painNrs: painNrs is 11; it must be an integer from 0 to 10. [INVALID_PAIN_NRS]", text[1]);
        CheckedLine notJson = lines.get(2);
        assertEquals(null, notJson.event());
        assertEquals(ReasonCode.UNDECODABLE, notJson.firstViolation().reason());
        assertEquals(3, notJson.lineNumber());
    }
}
