package org.spineoutcomes.ndjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.validation.ReasonCode;

class NdjsonCodecTest {

    private static final NdjsonCodec CODEC = new NdjsonCodec();

    /** A minimal valid follow-up line; tests splice one extra field in before the closing brace. */
    private static final String FOLLOWUP_HEAD = "{\"type\": \"followup\", \"eventId\": \"fu-9\", \"patientId\": \"MRN-000123\", "
            + "\"occurredAt\": \"2024-03-01T10:30:00+01:00\", \"recordedAt\": \"2024-03-01T09:35:00Z\", \"sourceSystem\": \"s\"";
    private static final String IMAGING_HEAD = "{\"type\": \"imaging\", \"eventId\": \"img-9\", \"patientId\": \"MRN-000123\", "
            + "\"occurredAt\": \"2024-03-01T09:30:00Z\", \"recordedAt\": \"2024-03-01T09:35:00Z\", \"sourceSystem\": \"s\", "
            + "\"phase\": \"POST\", \"modality\": \"RADIOGRAPH\"";
    private static final String PROCEDURE_HEAD = "{\"type\": \"procedure\", \"eventId\": \"p-9\", \"patientId\": \"MRN-000123\", "
            + "\"occurredAt\": \"2024-03-01T09:30:00Z\", \"recordedAt\": \"2024-03-01T09:35:00Z\", \"sourceSystem\": \"s\"";

    private static SpecificRecord parsed(String line) {
        ParseResult r = CODEC.parse(line, 1);
        return assertInstanceOf(ParseResult.Parsed.class, r, () -> r.toString()).event();
    }

    private static ParseResult.ParseError error(String line, long lineNumber) {
        ParseResult r = CODEC.parse(line, lineNumber);
        return assertInstanceOf(ParseResult.ParseError.class, r, () -> "expected an error, got " + r);
    }

    @Nested
    class RoundTrips {
        @Test
        void procedure() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            assertEquals(e, parsed(CODEC.format(e)));
            ProcedureEvent c = EventFixtures.completeConservativeStart();
            assertEquals(c, parsed(CODEC.format(c)));
        }

        @Test
        void imaging() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.setCorrects("img-0");
            assertEquals(e, parsed(CODEC.format(e)));
        }

        @Test
        void followUp() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            assertEquals(e, parsed(CODEC.format(e)));
        }

        @Test
        void millisecondsSurvive() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setOccurredAt(Instant.parse("2024-03-01T09:30:00.123Z"));
            String line = CODEC.format(e);
            assertTrue(line.contains("\"occurredAt\":\"2024-03-01T09:30:00.123Z\""), line);
            assertEquals(e, parsed(line));
        }

        @Test
        void formatWritesTypeFirstOmitsNullsAndUsesUtc() {
            FollowUpEvent e = FollowUpEvent.newBuilder().setEventId("fu-1").setPatientId("MRN-000123")
                    .setOccurredAt(Instant.parse("2024-03-01T09:30:00Z")).setRecordedAt(Instant.parse("2024-03-01T09:35:00Z"))
                    .setSourceSystem("s").setPainNrs(4).build();
            assertEquals("{\"type\":\"followup\",\"eventId\":\"fu-1\",\"patientId\":\"MRN-000123\","
                    + "\"occurredAt\":\"2024-03-01T09:30:00Z\",\"recordedAt\":\"2024-03-01T09:35:00Z\",\"sourceSystem\":\"s\","
                    + "\"painNrs\":4,\"rmdqItems\":24,\"complications\":[],\"medications\":[]}", CODEC.format(e));
        }

        @Test
        void formatRefusesNonFiniteNumbers() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setOdi(Double.NaN);
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> CODEC.format(e));
            assertTrue(x.getMessage().startsWith("odi is NaN"), x.getMessage());
        }
    }

    @Nested
    class Values {
        @Test
        void offsetIsConvertedToUtcAndDefaultsApply() {
            FollowUpEvent e = (FollowUpEvent) parsed(FOLLOWUP_HEAD + ", \"painNrs\": 4}");
            // 10:30 at +01:00 is 09:30 UTC
            assertEquals(Instant.parse("2024-03-01T09:30:00Z"), e.getOccurredAt());
            assertEquals(24, e.getRmdqItems());
            assertEquals(List.of(), e.getComplications());
            assertEquals(null, e.getCorrects());
        }

        @Test
        void integralDecimalIsAcceptedForAnInt() {
            FollowUpEvent e = (FollowUpEvent) parsed(FOLLOWUP_HEAD + ", \"painNrs\": 7.0}");
            assertEquals(7, e.getPainNrs());
        }

        @Test
        void explicitNullForAnOptionalFieldIsNull() {
            FollowUpEvent e = (FollowUpEvent) parsed(FOLLOWUP_HEAD + ", \"painNrs\": null, \"odi\": 12}");
            assertEquals(null, e.getPainNrs());
            assertEquals(12.0, e.getOdi());
        }

        @Test
        void eventTypeCarriesTopic() {
            ParseResult.Parsed p = (ParseResult.Parsed) CODEC.parse(IMAGING_HEAD + "}", 1);
            assertEquals(EventType.IMAGING, p.type());
            assertEquals(Topics.IMAGING, p.type().topic());
            assertEquals(EventType.FOLLOWUP, EventType.of(EventFixtures.completeFollowUp()));
            assertEquals(EventType.PROCEDURE, EventType.ofTopic("spine.procedures.v1").orElseThrow());
        }

        @Test
        void nestedRecordsAndEnums() {
            ImagingEvent e = (ImagingEvent) parsed(IMAGING_HEAD + ", \"measurements\": [{\"level\": \"T12\"}, "
                    + "{\"level\": \"L1\", \"anteriorHeightMm\": 19.5, \"fractured\": true}]}");
            assertEquals(VertebralLevel.L1, e.getMeasurements().get(1).getLevel());
            assertEquals(19.5, e.getMeasurements().get(1).getAnteriorHeightMm());
            assertEquals(false, e.getMeasurements().get(0).getFractured());
        }
    }

    @Nested
    class Errors {
        @Test
        void notJson() {
            ParseResult.ParseError e = error("{\"type\": \"followup\", ", 7);
            assertEquals(7, e.lineNumber());
            assertEquals(null, e.field());
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
        }

        @Test
        void trailingContentAfterTheObject() {
            assertEquals(ReasonCode.UNDECODABLE, error(FOLLOWUP_HEAD + "} {}", 1).reason());
        }

        @Test
        void repeatedKeyIsRejected() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painNrs\": 4, \"painNrs\": 5}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertTrue(e.message().contains("painNrs"), e.message());
        }

        @Test
        void notAnObject() {
            ParseResult.ParseError e = error("[1, 2]", 3);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals(null, e.field());
        }

        @Test
        void unknownType() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD.replace("followup", "lab") + "}", 2);
            assertEquals(new ParseResult.ParseError(2, "type", ReasonCode.WRONG_EVENT_TYPE,
                    "type is \"lab\"; it must be one of \"procedure\", \"imaging\", \"followup\"."), e);
        }

        @Test
        void missingType() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD.replace("\"type\": \"followup\", ", "") + "}", 1);
            assertEquals(ReasonCode.MISSING_FIELD, e.reason());
            assertEquals("type", e.field());
        }

        @Test
        void missingOrNullEventIdIsMissingId() {
            assertEquals(ReasonCode.MISSING_ID, error(FOLLOWUP_HEAD.replace("\"eventId\": \"fu-9\", ", "") + "}", 1).reason());
            ParseResult.ParseError e = error(FOLLOWUP_HEAD.replace("\"fu-9\"", "null") + "}", 1);
            assertEquals(ReasonCode.MISSING_ID, e.reason());
            assertEquals("eventId", e.field());
        }

        @Test
        void missingRequiredField() {
            ParseResult.ParseError e = error(IMAGING_HEAD.replace(", \"modality\": \"RADIOGRAPH\"", "") + "}", 4);
            assertEquals(new ParseResult.ParseError(4, "modality", ReasonCode.MISSING_FIELD, "modality is required but missing."), e);
        }

        @Test
        void nullForARequiredEnum() {
            ParseResult.ParseError e = error(IMAGING_HEAD.replace("\"POST\"", "null") + "}", 1);
            assertEquals(ReasonCode.MISSING_FIELD, e.reason());
            assertEquals("phase", e.field());
        }

        @ParameterizedTest(name = "occurredAt {0} -> INVALID_TIMESTAMP")
        @CsvSource(delimiter = '|', value = {
                "\"2024-03-01T09:30:00\"", "\"2024-03-01\"", "\"2024-03-01T09:30:00.123456Z\"", "1709285400000",
                "\"yesterday\"", "\"2024-02-30T09:30:00Z\""})
        void badTimestamps(String json) {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD.replace("\"2024-03-01T10:30:00+01:00\"", json) + "}", 1);
            assertEquals(ReasonCode.INVALID_TIMESTAMP, e.reason(), e::message);
            assertEquals("occurredAt", e.field());
        }

        @Test
        void timestampWithoutOffsetSaysSo() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD.replace("+01:00", "") + "}", 1);
            assertEquals("occurredAt is \"2024-03-01T10:30:00\", which has no offset; add one, e.g. "
                    + "\"2024-03-01T10:30:00Z\" or \"2024-03-01T10:30:00+01:00\" (R1).", e.message());
        }

        @Test
        void badDate() {
            ParseResult.ParseError e = error(PROCEDURE_HEAD + ", \"codes\": [\"22510\"], \"fractureOnsetDate\": \"01/02/2024\"}", 1);
            assertEquals(ReasonCode.INVALID_TIMESTAMP, e.reason());
            assertEquals("fractureOnsetDate", e.field());
        }

        @Test
        void fractionalNrsIsInvalidPainNrs() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painNrs\": 7.5}", 12);
            assertEquals(new ParseResult.ParseError(12, "painNrs", ReasonCode.INVALID_PAIN_NRS,
                    "painNrs is 7.5; it must be a whole number."), e);
        }

        @Test
        void stringWhereNumberExpectedIsUndecodableNamingTheField() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painNrs\": \"7\"}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("painNrs", e.field());
            assertEquals("painNrs is \"7\" (a string); it must be an integer.", e.message());
        }

        @Test
        void ageBeyondIntIsInvalidAge() {
            ParseResult.ParseError e = error(PROCEDURE_HEAD + ", \"codes\": [\"22510\"], \"ageYears\": 3000000000}", 1);
            assertEquals(ReasonCode.INVALID_AGE, e.reason());
        }

        @Test
        void hugeDoubleIsRejectedWithTheFieldsCode() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painVas\": 1e400}", 1);
            assertEquals(ReasonCode.INVALID_PAIN_VAS, e.reason());
        }

        @Test
        void unknownTopLevelField() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painNRS\": 4}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("painNRS", e.field());
            assertTrue(e.message().startsWith("Unknown field painNRS in FollowUpEvent; known fields are: eventId, "), e.message());
        }

        @Test
        void unknownNestedField() {
            ParseResult.ParseError e = error(IMAGING_HEAD + ", \"measurements\": [{\"level\": \"L1\"}, "
                    + "{\"level\": \"L2\", \"anteriorHeight\": 20}]}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("measurements[1].anteriorHeight", e.field());
        }

        @Test
        void levelOutsideT1ToL5IsInvalidLevel() {
            ParseResult.ParseError e = error(PROCEDURE_HEAD + ", \"codes\": [\"22510\"], \"levels\": [\"L5\", \"S1\"]}", 1);
            assertEquals(new ParseResult.ParseError(1, "levels[1]", ReasonCode.INVALID_LEVEL,
                    "levels[1] is \"S1\"; it must be one of T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, L1, L2, L3, L4, L5."), e);
        }

        @Test
        void unknownComplicationType() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"complications\": [{\"type\": \"BLEEDING\"}]}", 1);
            assertEquals(ReasonCode.UNKNOWN_COMPLICATION_TYPE, e.reason());
            assertEquals("complications[0].type", e.field());
        }

        @Test
        void complicationLevelIsInvalidLevelInsideTheUnion() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD
                    + ", \"complications\": [{\"type\": \"CEMENT_LEAKAGE\", \"level\": \"C2\"}]}", 1);
            assertEquals(ReasonCode.INVALID_LEVEL, e.reason());
            assertEquals("complications[0].level", e.field());
        }

        @Test
        void otherUnknownSymbolIsUndecodable() {
            ParseResult.ParseError e = error(IMAGING_HEAD.replace("\"POST\"", "\"INTRAOP\"") + "}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("phase", e.field());
        }

        @Test
        void scalarWhereArrayExpected() {
            ParseResult.ParseError e = error(PROCEDURE_HEAD + ", \"codes\": \"22510\"}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("codes", e.field());
        }

        @Test
        void numberWhereStringExpected() {
            ParseResult.ParseError e = error(PROCEDURE_HEAD + ", \"codes\": [22510]}", 1);
            assertEquals(ReasonCode.UNDECODABLE, e.reason());
            assertEquals("codes[0]", e.field());
        }

        @Test
        void describeFormat() {
            ParseResult.ParseError e = error(FOLLOWUP_HEAD + ", \"painNrs\": 7.5}", 12);
            assertEquals("in.ndjson:12: field painNrs: painNrs is 7.5; it must be a whole number. [INVALID_PAIN_NRS]",
                    e.describe("in.ndjson"));
            assertEquals("in.ndjson:3: The line is not a JSON object; each line must be one event object. [UNDECODABLE]",
                    error("42", 3).describe("in.ndjson"));
        }
    }
}
