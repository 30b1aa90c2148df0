package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.compute;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.window;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.OutcomeTreatment;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.schema.Window;

/** Arms, index, crossover (R4-R8, R12), complications (R27), medication (R28) and strata (R29). */
class OutcomeEngineArmsTest {

    @ParameterizedTest(name = "codes {0} -> {1}")
    @CsvSource({
            "22510, VERTEBROPLASTY", "22513, KYPHOPLASTY", "22612, OPEN_SURGERY", "63047, OPEN_SURGERY",
            // pre-2015 codes map whatever the date
            "22520, VERTEBROPLASTY", "22523, KYPHOPLASTY", "22525, KYPHOPLASTY",
            // add-on codes alone identify the arm
            "22512, VERTEBROPLASTY", "22515, KYPHOPLASTY",
            // unmapped extra codes (imaging guidance 77012) are ignored when one maps
            "77012 22511, VERTEBROPLASTY",
            // several arms in one event: precedence OPEN > KP > VP
            "22510 22513, KYPHOPLASTY", "22513 22612, OPEN_SURGERY"})
    void armFromCodes(String codes, TreatmentArm expected) {
        PatientOutcome o = compute(procedure("p1", INDEX, codes.split(" ")).build());
        assertEquals(expected, o.getIttArm());
    }

    @Test
    void conservativeStart_isConservative() {
        assertEquals(TreatmentArm.CONSERVATIVE, compute(conservative("c1", INDEX).build()).getIttArm());
    }

    @Test
    void sameInstant_precedenceDecidesIttArm() {
        // VP and KP events at the same instant: KP precedes (R5), so ITT KP, index event "b".
        PatientOutcome o = compute(procedure("a", INDEX, "22511").build(), procedure("b", INDEX, "22514").build());
        assertEquals(TreatmentArm.KYPHOPLASTY, o.getIttArm());
        assertEquals("b", o.getIndexEventId());
    }

    @Test
    void crossover_conservativeThenVertebroplasty() {
        // Conservative care on day 0, VP on day 20: crossover VP on 2024-03-21 (day 20).
        // As-treated: D1 (target 1) and W1 (7) CONSERVATIVE; M1 (30) VP since 20 < 30; OVERALL VP; POST (days 0-7) CONSERVATIVE.
        PatientOutcome o = compute(conservative("c1", INDEX).build(), vertebroplasty("v1", day(20)));
        assertEquals(TreatmentArm.CONSERVATIVE, o.getIttArm());
        assertTrue(o.getCrossover());
        assertEquals(TreatmentArm.VERTEBROPLASTY, o.getCrossoverArm());
        assertEquals(LocalDate.parse("2024-03-21"), o.getCrossoverDate());
        assertEquals(20, o.getCrossoverDayNumber());
        assertEquals(TreatmentArm.CONSERVATIVE, window(o, Window.BASELINE).getAsTreatedArm());
        assertEquals(TreatmentArm.CONSERVATIVE, window(o, Window.W1).getAsTreatedArm());
        assertEquals(TreatmentArm.VERTEBROPLASTY, window(o, Window.M1).getAsTreatedArm());
        assertEquals(TreatmentArm.VERTEBROPLASTY, o.getAsTreatedArmOverall());
        assertEquals(TreatmentArm.CONSERVATIVE, o.getAsTreatedArmPost());
        assertEquals(List.of("c1", "v1"), o.getTreatments().stream().map(OutcomeTreatment::getEventId).toList());
    }

    @Test
    void treatmentOnTargetDay_doesNotChangeThatWindow() {
        // KP on day 30 is not strictly before M1's target 30: M1 stays CONSERVATIVE, M3 is KP.
        PatientOutcome o = compute(conservative("c1", INDEX).build(), procedure("k1", day(30), "22514").build());
        assertEquals(TreatmentArm.CONSERVATIVE, window(o, Window.M1).getAsTreatedArm());
        assertEquals(TreatmentArm.KYPHOPLASTY, window(o, Window.M3).getAsTreatedArm());
    }

    @Test
    void conservativeThenOpenSurgery_isNotCrossoverButAsTreatedOpen() {
        PatientOutcome o = compute(conservative("c1", INDEX).build(), procedure("o1", day(10), "22612").build());
        assertFalse(o.getCrossover());
        assertNull(o.getCrossoverArm());
        assertEquals(TreatmentArm.OPEN_SURGERY, window(o, Window.M1).getAsTreatedArm());
        assertEquals(TreatmentArm.OPEN_SURGERY, o.getAsTreatedArmOverall());
    }

    @Test
    void conservativeStartAfterIntervention_neverChangesAsTreated() {
        PatientOutcome o = compute(vertebroplasty("v1", INDEX), conservative("c1", day(5)).build());
        assertEquals(TreatmentArm.VERTEBROPLASTY, window(o, Window.M1).getAsTreatedArm());
        assertEquals(TreatmentArm.VERTEBROPLASTY, o.getAsTreatedArmOverall());
        assertFalse(o.getCrossover());
    }

    @Test
    void retractionOfTheOnlyProcedure_leavesPatientOutOfEveryCell() {
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("p1", INDEX));
        log.add(nrs("f1", day(30), 3));
        log.add(procedure("r1", INDEX).setRetracts("p1").build());
        PatientOutcome o = OutcomeEngine.compute(DEFAULT_PATIENT, log.resolved());
        assertNull(o.getIttArm());
        assertEquals(AbsentReason.NO_TREATMENT, o.getIttArmAbsentReason());
        assertEquals(List.of(), o.getWindows());
        assertTrue(CellContributions.of(o).isEmpty());
    }

    @Test
    void retractingTheIndexProcedure_movesIndexAndDayNumbers() {
        // Procedures on day 0 (retracted) and day 10: the index moves to day 10; an assessment on day 40 becomes day 30.
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("p1", INDEX));
        log.add(procedure("p2", day(10), "22514").build());
        log.add(nrs("f1", day(40), 3));
        log.add(procedure("r1", INDEX).setRetracts("p1").build());
        PatientOutcome o = OutcomeEngine.compute(DEFAULT_PATIENT, log.resolved());
        assertEquals(TreatmentArm.KYPHOPLASTY, o.getIttArm());
        assertEquals(INDEX_DATE.plusDays(10), o.getIndexDate());
        assertEquals(30, window(o, Window.M1).getDayNumber());
    }

    @Test
    void complicationsDeduplicatedAndCountedFromDayZero() {
        // Leak at L1 on day 1 reported twice (two reports), infection with no date in a report on day 9,
        // a new fracture dated the day before the index (not counted): 2 complications.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("f1", day(2)).setComplications(List.of(complication(ComplicationType.CEMENT_LEAKAGE, VertebralLevel.L1, INDEX_DATE.plusDays(1)))).build(),
                followUp("f2", day(5)).setComplications(List.of(complication(ComplicationType.CEMENT_LEAKAGE, VertebralLevel.L1, INDEX_DATE.plusDays(1)),
                        complication(ComplicationType.NEW_VERTEBRAL_FRACTURE, VertebralLevel.T10, INDEX_DATE.minusDays(1)))).build(),
                followUp("f3", day(9)).setComplications(List.of(complication(ComplicationType.INFECTION, null, null))).build());
        assertEquals(2, o.getComplications().size());
        assertEquals(ComplicationType.CEMENT_LEAKAGE, o.getComplications().get(0).getType());
        assertEquals(1, o.getComplications().get(0).getDaysFromIndex());
        assertEquals(9, o.getComplications().get(1).getDaysFromIndex());
        assertTrue(o.getAnyComplication());
        assertEquals(VertebralLevel.L1, o.getImagingLevels().get(0).getLevel());
        assertTrue(o.getImagingLevels().get(0).getCementLeakage()); // index level L1 leaked
    }

    @Test
    void medicationStartBeforeIndex_givesNegativeDays() {
        // Bisphosphonate started 2024-02-20, calcium (no date) in a report on day 40: earliest 2024-02-20 = day -10.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("f1", day(40)).setMedications(List.of(medication(MedicationClass.BISPHOSPHONATE, LocalDate.parse("2024-02-20")),
                        medication(MedicationClass.CALCIUM, null))).build());
        assertTrue(o.getMedicationStarted());
        assertEquals(-10, o.getDaysToMedication());
        assertEquals(List.of(MedicationClass.BISPHOSPHONATE, MedicationClass.CALCIUM), o.getMedicationClasses());
    }

    @Test
    void noMedication_daysAbsent() {
        PatientOutcome o = compute(vertebroplasty("p1", INDEX));
        assertFalse(o.getMedicationStarted());
        assertEquals(AbsentReason.NOT_APPLICABLE, o.getDaysToMedicationAbsentReason());
    }

    @ParameterizedTest(name = "age {0} -> {1}")
    @CsvSource({"64, AGE_LT_65", "65, AGE_65_74", "74, AGE_65_74", "75, AGE_75_84", "84, AGE_75_84", "85, AGE_GE_85"})
    void ageBands(int age, Stratum expected) {
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setAgeYears(age).build());
        assertTrue(o.getStrata().contains(expected), o.getStrata().toString());
    }

    @ParameterizedTest(name = "fracture age {0} days -> {1}")
    @CsvSource({"0, FRACTURE_AGE_LE_6W", "42, FRACTURE_AGE_LE_6W", "43, FRACTURE_AGE_GT_6W"})
    void fractureAgeStrata(int days, Stratum expected) {
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setFractureOnsetDate(INDEX_DATE.minusDays(days)).build());
        assertEquals(days, o.getFractureAgeDays());
        assertTrue(o.getStrata().contains(expected), o.getStrata().toString());
    }

    @Test
    void strataFromIttIndexEvent_missingValuesGiveNoStratum() {
        // Onset after the index, sex OTHER, no age, baseline VAS 79.9 (7.99 < 8): ALL and BASELINE_PAIN_LT_8 only.
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setFractureOnsetDate(INDEX_DATE.plusDays(3))
                .setSex(Sex.OTHER).setAgeYears(null).build(), vas("b", day(-1), 79.9));
        assertEquals(List.of(Stratum.ALL, Stratum.BASELINE_PAIN_LT_8), o.getStrata());
        // Baseline VAS 80 -> exactly 8: GE_8; a later procedure's age does not count.
        PatientOutcome p = compute(vertebroplasty("p1", INDEX), procedure("p2", day(50), "22514").setAgeYears(90).setSex(Sex.M).build(), vas("b", day(-1), 80.0));
        assertEquals(List.of(Stratum.ALL, Stratum.FRACTURE_AGE_LE_6W, Stratum.BASELINE_PAIN_GE_8, Stratum.AGE_75_84, Stratum.SEX_F), p.getStrata());
    }
}
