package org.spineoutcomes.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.validation.ValidEvents.CLOCK;

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

class EventValidatorTest {

    private final EventValidator validator = new EventValidator();

    private List<Violation> check(SpecificRecord event) {
        return validator.validate(event, CLOCK);
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
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setEventId(" ");
            assertRejected(e, ReasonCode.MISSING_ID, "eventId");
        }

        @Test
        void nullPatientIdIsMissingId() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setPatientId(null);
            assertRejected(e, ReasonCode.MISSING_ID, "patientId");
        }

        @Test
        void blankCorrectsTargetIsMissingId() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setCorrects("");
            assertRejected(e, ReasonCode.MISSING_ID, "corrects");
        }

        @Test
        void correctsAndRetractsTogetherAreRejected() {
            ImagingEvent e = ValidEvents.preImaging();
            e.setCorrects("img-0");
            e.setRetracts("img-0");
            assertRejected(e, ReasonCode.CORRECTS_AND_RETRACTS, "corrects");
        }

        @Test
        void aCorrectionIsValidatedInFull() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setCorrects("fu-0");
            e.setPainNrs(12);
            assertRejected(e, ReasonCode.INVALID_PAIN_NRS, "painNrs");
        }
    }

    @Nested
    class Retractions {
        @Test
        void payloadOfARetractionIsIgnored() {
            // R10: NRS 99, a 1980 timestamp and an unmapped code would each be rejected on a normal event
            FollowUpEvent f = ValidEvents.followUp();
            f.setRetracts("fu-0");
            f.setPainNrs(99);
            f.setOccurredAt(Instant.parse("1980-01-01T00:00:00Z"));
            assertValid(f);
            ProcedureEvent p = ValidEvents.vertebroplasty();
            p.setRetracts("proc-0");
            p.setCodes(new ArrayList<>(List.of("99999")));
            p.setAgeYears(300);
            assertValid(p);
        }

        @Test
        void idsOfARetractionAreChecked() {
            ImagingEvent e = ValidEvents.preImaging();
            e.setRetracts(" ");
            e.setPatientId("");
            List<Violation> v = check(e);
            assertEquals(List.of(ReasonCode.MISSING_ID, ReasonCode.MISSING_ID), v.stream().map(Violation::reason).toList());
            assertEquals(List.of("patientId", "retracts"), v.stream().map(Violation::field).toList());
        }

        @Test
        void retractionThatAlsoCorrectsIsRejected() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setRetracts("fu-0");
            e.setCorrects("fu-0");
            assertRejected(e, ReasonCode.CORRECTS_AND_RETRACTS, "corrects");
        }
    }

    @Nested
    class Timestamps {
        @Test
        void firstInstantOf1990IsAccepted() {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setOccurredAt(Instant.parse("1990-01-01T00:00:00Z"));
            e.setFractureOnsetDate(LocalDate.parse("1990-01-01"));
            assertValid(e);
        }

        @Test
        void lastSecondOf1989IsRejected() {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setOccurredAt(Instant.parse("1989-12-31T23:59:59Z"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "occurredAt");
        }

        @Test
        void oneDayAfterTheClockIsAcceptedOneMillisecondMoreIsNot() {
            // CLOCK 2024-06-01T12:00Z + 1 day = 2024-06-02T12:00Z (inclusive)
            FollowUpEvent e = ValidEvents.followUp();
            e.setRecordedAt(CLOCK.plusSeconds(86_400));
            assertValid(e);
            e.setRecordedAt(CLOCK.plusSeconds(86_400).plusMillis(1));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "recordedAt");
        }

        @Test
        void futureMessageNamesValueAndLimit() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setOccurredAt(Instant.parse("2099-01-01T00:00:00Z"));
            assertEquals("occurredAt is 2099-01-01T00:00:00Z, more than one day after the processing clock "
                            + "2024-06-01T12:00:00Z; it must lie between 1990-01-01T00:00:00Z and 2024-06-02T12:00:00Z.",
                    check(e).get(0).message());
        }

        @Test
        void datesFollowTheSameRuleAtMidnightUtc() {
            // latest = 2024-06-02T12:00Z: 2024-06-02 (midnight before it) ok, 2024-06-03 not; 1989-12-31 not
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setFractureOnsetDate(LocalDate.parse("2024-06-02"));
            assertValid(e);
            e.setFractureOnsetDate(LocalDate.parse("2024-06-03"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "fractureOnsetDate");
            e.setFractureOnsetDate(LocalDate.parse("1989-12-31"));
            assertRejected(e, ReasonCode.INVALID_TIMESTAMP, "fractureOnsetDate");
        }

        @Test
        void complicationAndMedicationDatesAreChecked() {
            FollowUpEvent e = ValidEvents.followUp();
            e.getComplications().get(0).setDate(LocalDate.parse("1970-01-01"));
            e.getMedications().get(1).setStartDate(LocalDate.parse("2030-01-01"));
            List<Violation> v = check(e);
            assertEquals(List.of("complications[0].date", "medications[1].startDate"), v.stream().map(Violation::field).toList());
            assertTrue(v.stream().allMatch(x -> x.reason() == ReasonCode.INVALID_TIMESTAMP), v::toString);
        }

        @Test
        void fractureOnsetAfterTheIndexIsValid() {
            // docs/computation-rules.md Validation: it simply takes part in no fracture-age stratum
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setFractureOnsetDate(LocalDate.parse("2024-04-01"));
            assertValid(e);
        }

        @Test
        void followUpLongAfterEveryWindowIsValid() {
            // docs/computation-rules.md Validation: a follow-up outside every window (here decades before the 2024 index) is valid input
            FollowUpEvent e = ValidEvents.followUp();
            e.setOccurredAt(Instant.parse("1995-04-03T10:00:00Z"));
            assertValid(e);
        }
    }

    @Nested
    class Procedures {
        @Test
        void noMappedCodeAndNoConservativeCareIsUnknownCode() {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setCodes(new ArrayList<>(List.of("77012", "22526")));
            assertRejected(e, ReasonCode.UNKNOWN_CODE, "codes");
        }

        @Test
        void emptyCodesWithoutConservativeCareIsUnknownCode() {
            ProcedureEvent e = ValidEvents.conservativeStart();
            e.setConservativeCare(null);
            assertRejected(e, ReasonCode.UNKNOWN_CODE, "codes");
        }

        @ParameterizedTest(name = "code {0} alone identifies an arm")
        @ValueSource(strings = {"22510", "22512", "22515", "22520", "22525", "22614", "22843", "63001", "63091"})
        void mappedCodesAlone(String code) {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setCodes(new ArrayList<>(List.of(code)));
            assertValid(e);
        }

        @Test
        void conservativeCareWithUnmappedCodeIsValid() {
            ProcedureEvent e = ValidEvents.conservativeStart();
            e.setCodes(new ArrayList<>(List.of("97110")));
            e.setConservativeCare(ConservativeCare.newBuilder().build());
            assertValid(e);
        }

        @ParameterizedTest(name = "age {0} -> valid {1}")
        @CsvSource({"0,true", "120,true", "121,false", "-1,false"})
        void age(int age, boolean valid) {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setAgeYears(age);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_AGE, "ageYears");
        }

        @ParameterizedTest(name = "cement {0} -> valid {1}")
        @CsvSource({"0.0,true", "12.5,true", "-0.5,false", "NaN,false", "Infinity,false"})
        void cementVolume(double ml, boolean valid) {
            ProcedureEvent e = ValidEvents.vertebroplasty();
            e.setCementVolumeMl(ml);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_VALUE, "cementVolumeMl");
        }

        @Test
        void nullLevelInListIsInvalidLevel() {
            ProcedureEvent e = ValidEvents.vertebroplasty();
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
            ImagingEvent e = ValidEvents.preImaging();
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
            ImagingEvent e = ValidEvents.preImaging();
            e.getMeasurements().get(2).setAnteriorHeightMm(60.01);
            assertEquals(new Violation(ReasonCode.INVALID_HEIGHT, "measurements[2].anteriorHeightMm",
                    "measurements[2].anteriorHeightMm is 60.01; it must be from 0 to 60 mm."), check(e).get(0));
        }

        @Test
        void secondMeasurementOfALevelIsRejectedAtItsIndex() {
            ImagingEvent e = ValidEvents.preImaging();
            e.getMeasurements().add(ValidEvents.measurement(VertebralLevel.L1, 18.0, null, null, null, true));
            assertRejected(e, ReasonCode.LEVEL_MEASURED_TWICE, "measurements[3].level");
        }

        @Test
        void missingMeasurementsOnlyAreValid() {
            ImagingEvent e = ValidEvents.preImaging();
            e.getMeasurements().set(1, ValidEvents.measurement(VertebralLevel.L1, null, null, null, null, false));
            assertValid(e);
        }
    }

    @Nested
    class Scores {
        @ParameterizedTest(name = "NRS {0} -> valid {1}")
        @CsvSource({"0,true", "10,true", "11,false", "-1,false"})
        void nrs(int nrs, boolean valid) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setPainNrs(nrs);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_PAIN_NRS, "painNrs");
        }

        @Test
        void nrsMessage() {
            FollowUpEvent e = ValidEvents.followUp();
            e.setPainNrs(11);
            assertEquals("painNrs is 11; it must be an integer from 0 to 10.", check(e).get(0).message());
        }

        @ParameterizedTest(name = "VAS {0} -> valid {1}")
        @CsvSource({"0,true", "100,true", "100.1,false", "-0.1,false", "NaN,false"})
        void vas(double vas, boolean valid) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setPainVas(vas);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_PAIN_VAS, "painVas");
        }

        @ParameterizedTest(name = "ODI {0} -> valid {1}")
        @CsvSource({"0,true", "100,true", "100.5,false", "-1,false"})
        void odi(double odi, boolean valid) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setOdi(odi);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_ODI, "odi");
        }

        @ParameterizedTest(name = "RMDQ {0} of {1} items -> valid {2}")
        @CsvSource({"24,24,true", "25,24,false", "23,23,true", "24,23,false", "0,23,true", "-1,24,false"})
        void rmdq(int score, int items, boolean valid) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setRmdq(score);
            e.setRmdqItems(items);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_RMDQ, "rmdq");
        }

        @ParameterizedTest(name = "RMDQ items {0} rejected")
        @ValueSource(ints = {0, 22, 25, 36})
        void rmdqItems(int items) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setRmdqItems(items);
            assertRejected(e, ReasonCode.INVALID_RMDQ, "rmdqItems");
        }

        @ParameterizedTest(name = "EQ-5D {0} -> valid {1}")
        @CsvSource({"-1,true", "1,true", "1.01,false", "-1.01,false", "Infinity,false"})
        void eq5d(double index, boolean valid) {
            FollowUpEvent e = ValidEvents.followUp();
            e.setEq5dIndex(index);
            if (valid) assertValid(e); else assertRejected(e, ReasonCode.INVALID_EQ5D, "eq5dIndex");
        }

        @Test
        void complicationWithoutTypeIsUnknownComplicationType() {
            FollowUpEvent e = ValidEvents.followUp();
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
            assertValid(ValidEvents.vertebroplasty());
            assertValid(ValidEvents.conservativeStart());
            assertValid(ValidEvents.preImaging());
            assertValid(ValidEvents.followUp());
        }

        @Test
        void everyViolationIsReportedInSchemaFieldOrder() {
            FollowUpEvent e = ValidEvents.followUp();
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
            List<Violation> v = check(ValidEvents.followUp().getComplications().get(0));
            assertEquals(ReasonCode.WRONG_EVENT_TYPE, v.get(0).reason());
        }
    }
}
