package org.spineoutcomes.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.VALIDATION_CLOCK;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.testing.EventFixtures;

class EventValidatorTest {

    private final EventValidator validator = new EventValidator();

    private List<Violation> check(SpecificRecord event) {
        return validator.validate(event, VALIDATION_CLOCK);
    }

    /** Asserts exactly one violation, with this reason and field. */
    private void assertRejected(SpecificRecord event, ReasonCode reason, String field) {
        List<Violation> violations = check(event);
        assertEquals(1, violations.size(), () -> "expected one violation, got " + violations);
        assertEquals(reason, violations.get(0).reason(), violations::toString);
        assertEquals(field, violations.get(0).field(), violations::toString);
    }

    private void assertValid(SpecificRecord event) {
        assertEquals(List.of(), check(event));
    }

    @Nested
    class Ids {
        @Test
        void blankEventIdIsMissingId() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setEventId(" ");
            assertRejected(e, ReasonCode.MISSING_ID, "eventId");
        }

        @Test
        void nullPatientIdIsMissingId() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPatientId(null);
            assertRejected(e, ReasonCode.MISSING_ID, "patientId");
        }

        @Test
        void blankCorrectsTargetIsMissingId() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setCorrects("");
            assertRejected(e, ReasonCode.MISSING_ID, "corrects");
        }

        @Test
        void correctsAndRetractsTogetherAreRejected() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.setCorrects("img-0");
            e.setRetracts("img-0");
            assertRejected(e, ReasonCode.CORRECTS_AND_RETRACTS, "corrects");
        }

        @Test
        void aCorrectionIsValidatedInFull() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setCorrects("fu-0");
            e.setPainNrs(12);
            assertRejected(e, ReasonCode.INVALID_PAIN_NRS, "painNrs");
        }
    }

    /** Identifiers, strings and lists as the stream sees them in Avro records (docs/input-limits.md). */
    @Nested
    class Limits {
        @ParameterizedTest(name = "patientId {0}")
        @ValueSource(strings = {"\u200b", "\ufeff", "\u200b\u200b\u200b", "MRN\u0007-1", "MRN-1\u0000", "\u00a0", "\u00a0\u2003",
                "\u3164", "MRN-\u202e1", " MRN-1", "MRN-1 ", "\u0301", "\ud800MRN"})
        void invisibleOrControlCharactersMakeAnInvalidIdentifier(String id) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPatientId(id);
            assertRejected(e, ReasonCode.INVALID_IDENTIFIER, "patientId");
        }

        @Test
        void whitespaceOnlyIsMissingAsBefore() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPatientId("\u2003\t ");
            assertRejected(e, ReasonCode.MISSING_ID, "patientId");
        }

        @ParameterizedTest(name = "patientId {0}")
        @ValueSource(strings = {"MRN-1", "MRN 1", "Müller-7", "e\u0301-7", "\u6f22\u5b57-3", "fhir:Observation/a+b"})
        void visibleIdentifiersAreValid(String id) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPatientId(id);
            assertValid(e);
        }

        @Test
        void theMessageNamesTheCharacterNotTheIdentifier() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPatientId("MRN-SECRET\u200b");
            Violation v = check(e).get(0);
            assertEquals("patientId contains U+200B ZERO WIDTH SPACE at position 11; an identifier must be visible text"
                    + " without control, invisible or non-ASCII space characters.", v.message());
        }

        @Test
        void correctsAndRetractsAreIdentifiersToo() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setCorrects("\u200b");
            assertRejected(e, ReasonCode.INVALID_IDENTIFIER, "corrects");
            FollowUpEvent r = EventFixtures.completeFollowUp();
            r.setRetracts("x".repeat(InputLimits.MAX_ID_LENGTH + 1));
            assertRejected(r, ReasonCode.FIELD_TOO_LONG, "retracts");
        }

        @Test
        void identifierLengthLimit() {
            FollowUpEvent ok = EventFixtures.completeFollowUp();
            ok.setEventId("e".repeat(InputLimits.MAX_ID_LENGTH));
            assertValid(ok);
            FollowUpEvent megabyte = EventFixtures.completeFollowUp();
            megabyte.setPatientId("M".repeat(1_000_000));
            assertRejected(megabyte, ReasonCode.FIELD_TOO_LONG, "patientId");
            assertEquals("patientId has 1000000 characters; an identifier may have at most 512.", check(megabyte).get(0).message());
        }

        @Test
        void textAndListLimits() {
            ProcedureEvent p = EventFixtures.completeVertebroplasty();
            p.setSourceSystem("s".repeat(InputLimits.MAX_TEXT_LENGTH + 1));
            assertRejected(p, ReasonCode.FIELD_TOO_LONG, "sourceSystem");
            ProcedureEvent codes = EventFixtures.completeVertebroplasty();
            List<String> many = new ArrayList<>(codes.getCodes());
            while (many.size() <= InputLimits.MAX_LIST_ITEMS) many.add("22510");
            codes.setCodes(many);
            assertRejected(codes, ReasonCode.FIELD_TOO_LONG, "codes");
            ProcedureEvent code = EventFixtures.completeVertebroplasty();
            code.setDiagnosisCodes(new ArrayList<>(List.of("M80.08", "c".repeat(InputLimits.MAX_TEXT_LENGTH + 1))));
            assertRejected(code, ReasonCode.FIELD_TOO_LONG, "diagnosisCodes[1]");
            ImagingEvent study = EventFixtures.completePreImaging();
            List<LevelMeasurement> levels = new ArrayList<>();
            for (int i = 0; i <= InputLimits.MAX_LIST_ITEMS; i++) levels.add(EventFixtures.level(VertebralLevel.L1, 20.0));
            study.setMeasurements(levels);
            assertRejected(study, ReasonCode.FIELD_TOO_LONG, "measurements"); // not 100 LEVEL_MEASURED_TWICE
        }
    }

    @Nested
    class Retractions {
        @Test
        void payloadOfARetractionIsIgnored() {
            // R10: NRS 99, a 1980 timestamp and an unmapped code would each be rejected on a normal event
            FollowUpEvent f = EventFixtures.completeFollowUp();
            f.setRetracts("fu-0");
            f.setPainNrs(99);
            f.setOccurredAt(Instant.parse("1980-01-01T00:00:00Z"));
            assertValid(f);
            ProcedureEvent p = EventFixtures.completeVertebroplasty();
            p.setRetracts("proc-0");
            p.setCodes(new ArrayList<>(List.of("99999")));
            p.setAgeYears(300);
            assertValid(p);
        }

        @Test
        void idsOfARetractionAreChecked() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.setRetracts(" ");
            e.setPatientId("");
            List<Violation> v = check(e);
            assertEquals(List.of(ReasonCode.MISSING_ID, ReasonCode.MISSING_ID), v.stream().map(Violation::reason).toList());
            assertEquals(List.of("patientId", "retracts"), v.stream().map(Violation::field).toList());
        }

        @Test
        void retractionThatAlsoCorrectsIsRejected() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setRetracts("fu-0");
            e.setCorrects("fu-0");
            assertRejected(e, ReasonCode.CORRECTS_AND_RETRACTS, "corrects");
        }
    }

    @Nested
    class Timestamps {
        @Test
        void firstInstantOf1990IsAccepted() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setOccurredAt(Instant.parse("1990-01-01T00:00:00Z"));
            e.setFractureOnsetDate(LocalDate.parse("1990-01-01"));
            assertValid(e);
        }

        @Test
        void lastSecondOf1989IsRejected() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setOccurredAt(Instant.parse("1989-12-31T23:59:59Z"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "occurredAt");
        }

        @Test
        void oneDayAfterTheClockIsAcceptedOneMillisecondMoreIsNot() {
            // VALIDATION_CLOCK 2024-06-01T12:00Z + 1 day = 2024-06-02T12:00Z (inclusive)
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setRecordedAt(VALIDATION_CLOCK.plusSeconds(86_400));
            assertValid(e);
            e.setRecordedAt(VALIDATION_CLOCK.plusSeconds(86_400).plusMillis(1));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "recordedAt");
        }

        @Test
        void futureMessageNamesValueAndLimit() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setOccurredAt(Instant.parse("2099-01-01T00:00:00Z"));
            assertEquals("occurredAt is 2099-01-01T00:00:00Z, more than one day after the processing clock "
                            + "2024-06-01T12:00:00Z; it must lie between 1990-01-01T00:00:00Z and 2024-06-02T12:00:00Z.",
                    check(e).get(0).message());
        }

        @Test
        void datesFollowTheSameRuleAtMidnightUtc() {
            // latest = 2024-06-02T12:00Z: 2024-06-02 (midnight before it) ok, 2024-06-03 not; 1989-12-31 not
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setFractureOnsetDate(LocalDate.parse("2024-06-02"));
            assertValid(e);
            e.setFractureOnsetDate(LocalDate.parse("2024-06-03"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "fractureOnsetDate");
            e.setFractureOnsetDate(LocalDate.parse("1989-12-31"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "fractureOnsetDate");
        }

        @Test
        void complicationAndMedicationDatesAreChecked() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.getComplications().get(0).setDate(LocalDate.parse("1970-01-01"));
            e.getMedications().get(1).setStartDate(LocalDate.parse("2030-01-01"));
            List<Violation> v = check(e);
            assertEquals(List.of("complications[0].date", "medications[1].startDate"), v.stream().map(Violation::field).toList());
            assertTrue(v.stream().allMatch(x -> x.reason() == ReasonCode.INVALID_TIMESTAMP), v::toString);
        }

        @Test
        void fractureOnsetAfterTheIndexIsValid() {
            // docs/computation-rules.md Validation: it simply takes part in no fracture-age stratum
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setFractureOnsetDate(LocalDate.parse("2024-04-01"));
            assertValid(e);
        }

        @Test
        void followUpLongAfterEveryWindowIsValid() {
            // docs/computation-rules.md Validation: a follow-up outside every window (here decades before the 2024 index) is valid input
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setOccurredAt(Instant.parse("1995-04-03T10:00:00Z"));
            assertValid(e);
        }
    }

    @Nested
    class Procedures {
        @Test
        void noMappedCodeAndNoConservativeCareIsUnknownCode() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setCodes(new ArrayList<>(List.of("77012", "22526")));
            assertRejected(e, ReasonCode.UNKNOWN_CODE, "codes");
        }

        @Test
        void emptyCodesWithoutConservativeCareIsUnknownCode() {
            ProcedureEvent e = EventFixtures.completeConservativeStart();
            e.setConservativeCare(null);
            assertRejected(e, ReasonCode.UNKNOWN_CODE, "codes");
        }

        @ParameterizedTest(name = "code {0} alone identifies an arm")
        @ValueSource(strings = {"22510", "22512", "22515", "22520", "22525", "22614", "22843", "63001", "63091"})
        void mappedCodesAlone(String code) {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setCodes(new ArrayList<>(List.of(code)));
            assertValid(e);
        }

        @Test
        void conservativeCareWithUnmappedCodeIsValid() {
            ProcedureEvent e = EventFixtures.completeConservativeStart();
            e.setCodes(new ArrayList<>(List.of("97110")));
            e.setConservativeCare(ConservativeCare.newBuilder().build());
            assertValid(e);
        }

        @ParameterizedTest(name = "age {0} -> valid {1}")
        @CsvSource({"0,true", "120,true", "121,false", "-1,false"})
        void age(int age, boolean valid) {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setAgeYears(age);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_AGE, "ageYears");
        }

        @ParameterizedTest(name = "cement {0} -> valid {1}")
        @CsvSource({"0.0,true", "12.5,true", "-0.5,false", "NaN,false", "Infinity,false"})
        void cementVolume(double ml, boolean valid) {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            e.setCementVolumeMl(ml);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_VALUE, "cementVolumeMl");
        }

        @Test
        void nullLevelInListIsInvalidLevel() {
            ProcedureEvent e = EventFixtures.completeVertebroplasty();
            List<VertebralLevel> levels = new ArrayList<>();
            levels.add(VertebralLevel.L1);
            levels.add(null);
            e.setLevels(levels);
            assertRejected(e, ReasonCode.INVALID_LEVEL, "levels[1]");
        }
    }

    @Nested
    class Imaging {
        private ImagingEvent withFirst(BiConsumer<LevelMeasurement, Double> setter, double value) {
            ImagingEvent e = EventFixtures.completePreImaging();
            setter.accept(e.getMeasurements().get(0), value);
            return e;
        }

        @ParameterizedTest(name = "{0} = {1} -> valid {2}")
        @CsvSource({
                "anteriorHeightMm, 60, true", "anteriorHeightMm, 60.01, false", "anteriorHeightMm, 0, true",
                "anteriorHeightMm, -0.01, false", "middleHeightMm, 60.01, false", "posteriorHeightMm, 60.01, false",
                "posteriorHeightMm, NaN, false"})
        void heights(String field, double value, boolean valid) {
            BiConsumer<LevelMeasurement, Double> setter = switch (field) {
                case "anteriorHeightMm" -> LevelMeasurement::setAnteriorHeightMm;
                case "middleHeightMm" -> LevelMeasurement::setMiddleHeightMm;
                default -> LevelMeasurement::setPosteriorHeightMm;
            };
            ImagingEvent e = withFirst(setter, value);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_HEIGHT, "measurements[0]." + field);
        }

        @ParameterizedTest(name = "angle {0} -> valid {1}")
        @CsvSource({"-30,true", "-30.5,false", "90,true", "90.5,false", "0,true", "-Infinity,false"})
        void angle(double angle, boolean valid) {
            ImagingEvent e = withFirst(LevelMeasurement::setKyphoticAngleDeg, angle);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_ANGLE, "measurements[0].kyphoticAngleDeg");
        }

        @Test
        void heightMessageNamesValueAndRange() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.getMeasurements().get(2).setAnteriorHeightMm(60.01);
            assertEquals(new Violation(ReasonCode.INVALID_HEIGHT, "measurements[2].anteriorHeightMm",
                    "measurements[2].anteriorHeightMm is 60.01; it must be from 0 to 60 mm."), check(e).get(0));
        }

        @Test
        void secondMeasurementOfALevelIsRejectedAtItsIndex() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.getMeasurements().add(EventFixtures.level(VertebralLevel.L1, 18.0, null, null, null, true));
            assertRejected(e, ReasonCode.LEVEL_MEASURED_TWICE, "measurements[3].level");
        }

        @Test
        void missingMeasurementsOnlyAreValid() {
            ImagingEvent e = EventFixtures.completePreImaging();
            e.getMeasurements().set(1, EventFixtures.level(VertebralLevel.L1, null, null, null, null, false));
            assertValid(e);
        }
    }

    @Nested
    class Scores {
        @ParameterizedTest(name = "NRS {0} -> valid {1}")
        @CsvSource({"0,true", "10,true", "11,false", "-1,false"})
        void nrs(int nrs, boolean valid) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPainNrs(nrs);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_PAIN_NRS, "painNrs");
        }

        @Test
        void nrsMessage() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPainNrs(11);
            assertEquals("painNrs is 11; it must be an integer from 0 to 10.", check(e).get(0).message());
        }

        @ParameterizedTest(name = "VAS {0} -> valid {1}")
        @CsvSource({"0,true", "100,true", "100.1,false", "-0.1,false", "NaN,false"})
        void vas(double vas, boolean valid) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setPainVas(vas);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_PAIN_VAS, "painVas");
        }

        @ParameterizedTest(name = "ODI {0} -> valid {1}")
        @CsvSource({"0,true", "100,true", "100.5,false", "-1,false"})
        void odi(double odi, boolean valid) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setOdi(odi);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_ODI, "odi");
        }

        @ParameterizedTest(name = "RMDQ {0} of {1} items -> valid {2}")
        @CsvSource({"24,24,true", "25,24,false", "23,23,true", "24,23,false", "0,23,true", "-1,24,false"})
        void rmdq(int score, int items, boolean valid) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setRmdq(score);
            e.setRmdqItems(items);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_RMDQ, "rmdq");
        }

        @ParameterizedTest(name = "RMDQ items {0} rejected")
        @ValueSource(ints = {0, 22, 25, 36})
        void rmdqItems(int items) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setRmdqItems(items);
            assertRejected(e, ReasonCode.INVALID_RMDQ, "rmdqItems");
        }

        @ParameterizedTest(name = "EQ-5D {0} -> valid {1}")
        @CsvSource({"-1,true", "1,true", "1.01,false", "-1.01,false", "Infinity,false"})
        void eq5d(double index, boolean valid) {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setEq5dIndex(index);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_EQ5D, "eq5dIndex");
        }

        @Test
        void complicationWithoutTypeIsUnknownComplicationType() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            Complication c = e.getComplications().get(0);
            c.setType(null);
            assertRejected(e, ReasonCode.UNKNOWN_COMPLICATION_TYPE, "complications[0].type");
        }
    }

    /** Whole-record behaviour (kept in a nested class: surefire miscounts top-level tests next to @Nested ones). */
    @Nested
    class WholeRecord {
        @Test
        void fixturesAreValid() {
            assertValid(EventFixtures.completeVertebroplasty());
            assertValid(EventFixtures.completeConservativeStart());
            assertValid(EventFixtures.completePreImaging());
            assertValid(EventFixtures.completeFollowUp());
        }

        @Test
        void everyViolationIsReportedInSchemaFieldOrder() {
            FollowUpEvent e = EventFixtures.completeFollowUp();
            e.setEq5dIndex(2.0);
            e.setPainNrs(11);
            e.setOccurredAt(Instant.parse("1980-01-01T00:00:00Z"));
            e.setOdi(101.0);
            e.getMedications().get(0).setStartDate(LocalDate.parse("1980-01-01"));
            List<Violation> v = check(e);
            assertEquals(List.of("occurredAt", "painNrs", "odi", "eq5dIndex", "medications[0].startDate"),
                    v.stream().map(Violation::field).toList());
            assertEquals(List.of(ReasonCode.INVALID_TIMESTAMP, ReasonCode.INVALID_PAIN_NRS, ReasonCode.INVALID_ODI,
                    ReasonCode.INVALID_EQ5D, ReasonCode.INVALID_TIMESTAMP), v.stream().map(Violation::reason).toList());
        }

        @Test
        void aRecordThatIsNoInputEventIsWrongEventType() {
            List<Violation> v = check(EventFixtures.completeFollowUp().getComplications().get(0));
            assertEquals(ReasonCode.WRONG_EVENT_TYPE, v.get(0).reason());
        }
    }
}
