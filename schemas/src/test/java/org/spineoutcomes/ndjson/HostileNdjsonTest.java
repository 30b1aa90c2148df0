package org.spineoutcomes.ndjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;

/**
 * Lines built to cost time or memory, or to slip past a check: each is refused quickly, with its
 * reason and field, and with a message of bounded length. (The full corpus is samples/hostile/, run
 * through the batch command by streams-app's HostileCorpusTest.)
 */
class HostileNdjsonTest {

    private static final NdjsonCodec CODEC = new NdjsonCodec();
    private static final String HEAD = "{\"type\": \"followup\", \"eventId\": \"fu-1\", \"patientId\": \"MRN-1\", "
            + "\"occurredAt\": \"2024-03-01T09:30:00Z\", \"recordedAt\": \"2024-03-01T09:35:00Z\", \"sourceSystem\": \"s\"";

    private static ParseResult.ParseError error(String line) {
        ParseResult r = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> CODEC.parse(line, 7));
        ParseResult.ParseError e = assertInstanceOf(ParseResult.ParseError.class, r, () -> "expected an error, got " + r);
        assertTrue(e.message().length() <= InputLimits.MAX_MESSAGE_LENGTH + 40, "bounded message: " + e.message().length());
        return e;
    }

    private static void assertError(String line, ReasonCode reason, String field) {
        ParseResult.ParseError e = error(line);
        assertEquals(reason + " " + field, e.reason() + " " + e.field(), e.message());
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource(delimiter = '|', value = {
            // numbers whose conversion would cost seconds and gigabytes are judged on their text
            "\"painNrs\": 1e999999999         | INVALID_PAIN_NRS | painNrs",
            "\"painVas\": 1E+999999999        | INVALID_PAIN_VAS | painVas",
            "\"odi\": 5e-999999999            | INVALID_ODI      | odi",
            "\"eq5dIndex\": 1e99999999999999999999 | INVALID_EQ5D | eq5dIndex",
            "\"painVas\": 1e41                | INVALID_PAIN_VAS | painVas",
            "\"rmdqItems\": 1e41              | INVALID_RMDQ     | rmdqItems",
            // the decimal as written is range-checked, not its double (R35)
            "\"painVas\": 100.0000000000000001 | INVALID_PAIN_VAS | painVas",
            "\"painVas\": -0.00000000000000000001 | INVALID_PAIN_VAS | painVas",
            "\"odi\": 100.00000000000000000001 | INVALID_ODI     | odi",
            "\"eq5dIndex\": -1.0000000000000000001 | INVALID_EQ5D | eq5dIndex",
            "\"painNrs\": 10.0000000001       | INVALID_PAIN_NRS | painNrs",
            // not JSON numbers at all
            "\"painVas\": NaN                 | UNDECODABLE      | painVas",
            "\"odi\": Infinity                | UNDECODABLE      | odi",
            "\"eq5dIndex\": -Infinity         | UNDECODABLE      | eq5dIndex",
            // a repeated key, at any depth
            "\"painNrs\": 3, \"painNrs\": 9   | UNDECODABLE      | painNrs",
            "\"complications\": [{\"type\": \"NEW_VERTEBRAL_FRACTURE\", \"type\": \"CEMENT_LEAKAGE\"}] | UNDECODABLE | complications[0].type",
    })
    void hostileValueIsRefusedWithItsReasonAndField(String extra, ReasonCode reason, String field) {
        assertError(HEAD + ", " + extra + "}", reason, field);
    }

    @Test
    void numbersAtTheLimitsAreRead() {
        String forty = "1" + "0".repeat(38) + ".5"; // 40 digits
        ParseResult r = CODEC.parse(HEAD + ", \"painVas\": 0." + "0".repeat(38) + "1, \"odi\": 1e-40, \"eq5dIndex\": 1e0}", 1);
        FollowUpEvent e = (FollowUpEvent) assertInstanceOf(ParseResult.Parsed.class, r, r::toString).event();
        assertEquals(1e-39, e.getPainVas());
        assertEquals(1e-40, e.getOdi());
        assertError(HEAD + ", \"painVas\": " + forty + "1}", ReasonCode.INVALID_PAIN_VAS, "painVas"); // 41 digits: not read
        assertEquals("painVas is " + forty + "; it must be from 0 to 100 mm.",                          // 40 digits: read, out of range
                error(HEAD + ", \"painVas\": " + forty + "}").message());
        assertError(HEAD + ", \"painNrs\": 1" + "0".repeat(100_000) + "}", ReasonCode.INVALID_PAIN_NRS, "painNrs");
    }

    @Test
    void theMessageOfAHugeNumberIsShort() {
        ParseResult.ParseError e = error(HEAD + ", \"painNrs\": 1e999999999}");
        assertEquals("painNrs is a number with the exponent e999999999; exponents from -40 to 40 are accepted.", e.message());
        ParseResult.ParseError digits = error(HEAD + ", \"cementVolumeMl\": 1." + "2".repeat(500_000) + "}");
        assertEquals("cementVolumeMl is a number written with 500001 digits; at most 40 are accepted.", digits.message());
        assertEquals(ReasonCode.INVALID_VALUE, digits.reason());
    }

    @Test
    void deepNestingIsRefusedAtTheLimitWithItsPath() {
        String bomb = "[".repeat(100_000) + "]".repeat(100_000);
        ParseResult.ParseError e = error(HEAD + ", \"complications\": " + bomb + "}");
        assertEquals(ReasonCode.UNDECODABLE, e.reason());
        assertEquals("complications" + "[0]".repeat(InputLimits.MAX_NESTING_DEPTH - 1), e.field());
        ParseResult.ParseError objects = error(HEAD + ", \"conservativeCare\": " + "{\"a\": ".repeat(50_000) + "1" + "}".repeat(50_000) + "}");
        assertEquals(ReasonCode.UNDECODABLE, objects.reason());
        assertTrue(objects.field().startsWith("conservativeCare.a.a"), objects.field());
    }

    @Test
    void longStringsAndListsAreFieldTooLongAtTheirPath() {
        assertError(HEAD.replace("\"MRN-1\"", "\"" + "M".repeat(1_000_000) + "\""), ReasonCode.FIELD_TOO_LONG, "patientId");
        assertError(HEAD + ", \"medications\": [" + "{\"medicationClass\": \"BISPHOSPHONATE\"},".repeat(100)
                + "{\"medicationClass\": \"BISPHOSPHONATE\"}]}", ReasonCode.FIELD_TOO_LONG, "medications");
        ParseResult.ParseError key = error(HEAD + ", \"" + "k".repeat(1_000_000) + "\": 1}");
        assertEquals(ReasonCode.UNDECODABLE, key.reason());
        assertEquals(null, key.field());
    }

    @Test
    void aSyntaxErrorInsideAValueNamesThatField() {
        assertError(HEAD + ", \"corrects\": \"a" + (char) 0 + "b\"}", ReasonCode.UNDECODABLE, "corrects");
        assertError(HEAD + ", \"complications\": [{\"type\": \"NEW_VERTEBRAL_FRACTURE\", \"date\": tru}]}", ReasonCode.UNDECODABLE,
                "complications[0].date");
        // after a complete value, a missing comma is the object's problem
        assertError(HEAD + ", \"complications\": [{\"type\": \"NEW_VERTEBRAL_FRACTURE\", \"date\": 2024-01-01}]}", ReasonCode.UNDECODABLE,
                "complications[0]");
        assertError(HEAD + ", \"painNrs\": 4", ReasonCode.UNDECODABLE, "null"); // cut short after a complete field
    }

    @Test
    void wholeLineShapes() {
        assertError(HEAD + "} trailing", ReasonCode.UNDECODABLE, "null");
        assertError(HEAD + "}" + HEAD + "}", ReasonCode.UNDECODABLE, "null");
        assertError("[" + HEAD + "}]", ReasonCode.UNDECODABLE, "null");
        assertError("null", ReasonCode.UNDECODABLE, "null");
        assertError("1e999999999", ReasonCode.INVALID_VALUE, "null");
    }

    @Test
    void crOnlyCrLfAndMixedLineEndsAllSplitLinesAndKeepTheirNumbers() {
        String a = HEAD.replace("fu-1", "a") + "}", b = HEAD.replace("fu-1", "b") + ", \"painNrs\": 11}", c = HEAD.replace("fu-1", "c") + "}";
        for (String[] ends : new String[][] {{"\r", "\r"}, {"\r\n", "\r\n"}, {"\n", "\r"}, {"\r", "\n"}, {"\r\n\r", "\n\r\n"}}) {
            String text = a + ends[0] + b + ends[1] + c;
            List<NdjsonLine> lines;
            try (Stream<NdjsonLine> s = new NdjsonReader().lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "-")) {
                lines = s.toList();
            }
            String shown = text.replace("\r", "\\r").replace("\n", "\\n");
            assertEquals(3, lines.size(), shown);
            long blank = ends[0].equals("\r\n\r") ? 1 : 0; // "\r\n" then "\r": one empty line between
            assertEquals(List.of(1L, 2L + blank, 3L + blank + (ends[1].equals("\n\r\n") ? 1 : 0)),
                    lines.stream().map(NdjsonLine::lineNumber).toList(), shown);
            assertInstanceOf(ParseResult.Parsed.class, lines.get(0).result());
            assertInstanceOf(ParseResult.Parsed.class, lines.get(2).result());
        }
    }

    @Test
    void aLineOverOneMebibyteIsRefusedWithoutKeepingItAndTheNextLineIsRead() {
        String ok = HEAD + "}";
        String huge = HEAD + ", \"sourceSystem\": \"" + "x".repeat(InputLimits.MAX_LINE_BYTES) + "\"}";
        String text = ok + "\r" + huge + "\r" + ok;
        List<NdjsonLine> lines;
        try (Stream<NdjsonLine> s = new NdjsonReader().lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "f")) {
            lines = s.toList();
        }
        assertEquals(3, lines.size());
        ParseResult.ParseError e = assertInstanceOf(ParseResult.ParseError.class, lines.get(1).result());
        assertEquals(ReasonCode.FIELD_TOO_LONG, e.reason());
        assertEquals(null, e.field());
        assertEquals("f:2: The line has " + huge.length() + " bytes; a line may have at most 1048576 (1 MiB). [FIELD_TOO_LONG]",
                lines.get(1).errorText());
        assertInstanceOf(ParseResult.Parsed.class, lines.get(2).result());
    }

    @Test
    void aByteOrderMarkIsDroppedOnTheFirstLineOnly() {
        String ok = HEAD + "}";
        String text = "\uFEFF" + ok + "\n\uFEFF" + ok;
        List<NdjsonLine> lines;
        try (Stream<NdjsonLine> s = new NdjsonReader().lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "f")) {
            lines = s.toList();
        }
        assertInstanceOf(ParseResult.Parsed.class, lines.get(0).result());
        assertEquals(ReasonCode.UNDECODABLE, assertInstanceOf(ParseResult.ParseError.class, lines.get(1).result()).reason());
    }
}
