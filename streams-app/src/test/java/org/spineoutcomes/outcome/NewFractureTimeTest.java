package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.compute;
import static org.spineoutcomes.schema.ComplicationType.INFECTION;
import static org.spineoutcomes.schema.ComplicationType.NEW_VERTEBRAL_FRACTURE;
import static org.spineoutcomes.schema.ImagingPhase.FOLLOW_UP;
import static org.spineoutcomes.schema.ImagingPhase.POST;
import static org.spineoutcomes.schema.ImagingPhase.PRE;
import static org.spineoutcomes.schema.VertebralLevel.L1;
import static org.spineoutcomes.schema.VertebralLevel.L2;
import static org.spineoutcomes.schema.VertebralLevel.T12;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.PatientOutcome;

/** R37 per patient: newFractureTime and newFractureEvent of the outcome (index 2024-03-01, EventFixtures). */
class NewFractureTimeTest {

    @Test
    void theEarliestCountedNewFracture_isTheEvent() {
        // New fractures dated day 40 (reported on day 45) and day 20 (reported on day 200, with its own date);
        // one dated day -3 is not counted by R27. Follow-ups go on to day 300. Earliest counted: day 20, an event.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("f1", day(45)).setComplications(List.of(
                        complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.plusDays(40)),
                        complication(NEW_VERTEBRAL_FRACTURE, T12, INDEX_DATE.minusDays(3)))).build(),
                followUp("f2", day(200)).setComplications(List.of(
                        complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.plusDays(20)))).build(),
                nrs("f3", day(300), 2));
        assertEquals(20, o.getNewFractureTime());
        assertEquals(true, o.getNewFractureEvent());
        assertNull(o.getNewFractureTimeAbsentReason());
    }

    @Test
    void aNewFractureReportWithoutItsOwnDate_takesTheReportsDay() {
        // R27: an item without a date takes the report's date: day 61.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                followUp("f1", day(61)).setComplications(List.of(complication(NEW_VERTEBRAL_FRACTURE, null, null))).build());
        assertEquals(61, o.getNewFractureTime());
        assertEquals(true, o.getNewFractureEvent());
    }

    @Test
    void withoutAFracture_censoredOnTheLastDayAnythingWasObserved() {
        // Observations after the index: an NRS on day 30, an infection-only report on day 250 (not an assessment,
        // but an accepted follow-up), a medication-only report on day 120, a FOLLOW_UP study on day 180 and a
        // study labelled POST on day 270 (ignored by R21, still an observation). A PRE study on day -2 and a
        // new fracture dated day -3 do not count. Largest day: 270, censored.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX),
                nrs("f1", day(30), 3),
                followUp("f2", day(250)).setComplications(List.of(complication(INFECTION, null, null),
                        complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.minusDays(3)))).build(),
                followUp("f3", day(120)).setMedications(List.of(medication(MedicationClass.BISPHOSPHONATE, null))).build(),
                study("i1", day(-2), PRE, level(L1, 20.0)).build(),
                study("i2", day(180), FOLLOW_UP, level(L1, 20.0)).build(),
                study("i3", day(270), POST, level(L1, 20.0)).build());
        assertEquals(1, o.getImagingStudiesIgnored());
        assertEquals(270, o.getNewFractureTime());
        assertEquals(false, o.getNewFractureEvent());
    }

    @Test
    void nothingObservedFromDayZero_isCensoredAtZero() {
        // Only a baseline assessment on day -5: time 0, censored.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("b", day(-5), 8));
        assertEquals(0, o.getNewFractureTime());
        assertEquals(false, o.getNewFractureEvent());
    }

    @Test
    void dayNumbersAreUtcDates() {
        // R1: 2024-03-31T23:30-05:00 is 04:30 UTC on 1 April: day 31, although the local date is day 30.
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("f1", Instant.parse("2024-04-01T04:30:00Z"), 3));
        assertEquals(31, o.getNewFractureTime());
    }

    @Test
    void timesAboveNineHundredDays_areCensoredAtNineHundred() {
        // A fracture on day 901 is past the follow-up: time 900, censored. An observation on day 1000: 900, censored.
        // A fracture on day 900 itself is an event.
        PatientOutcome late = compute(vertebroplasty("p1", INDEX), followUp("f1", day(950)).setComplications(List.of(
                complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.plusDays(901)))).build());
        assertEquals(900, late.getNewFractureTime());
        assertEquals(false, late.getNewFractureEvent());
        PatientOutcome observed = compute(vertebroplasty("p1", INDEX), nrs("f1", day(1000), 1));
        assertEquals(900, observed.getNewFractureTime());
        assertEquals(false, observed.getNewFractureEvent());
        PatientOutcome onTheLastDay = compute(vertebroplasty("p1", INDEX), followUp("f1", day(900)).setComplications(List.of(
                complication(NEW_VERTEBRAL_FRACTURE, L2, null))).build());
        assertEquals(900, onTheLastDay.getNewFractureTime());
        assertEquals(true, onTheLastDay.getNewFractureEvent());
    }

    @Test
    void daysCountFromTheIttIndexInBothPopulations() {
        // Conservative care on day 0, a vertebroplasty on day 20 (crossover); fracture on day 50 -> 50 from the ITT index.
        PatientOutcome o = compute(conservative("c1", INDEX).build(), vertebroplasty("p2", day(20)),
                followUp("f1", day(60)).setComplications(List.of(complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.plusDays(50)))).build());
        assertEquals(true, o.getCrossover());
        assertEquals(50, o.getNewFractureTime());
    }

    @Test
    void withoutATreatment_absentWithNoTreatment() {
        PatientOutcome o = compute(nrs("f1", day(30), 3));
        assertNull(o.getNewFractureTime());
        assertNull(o.getNewFractureEvent());
        assertEquals(AbsentReason.NO_TREATMENT, o.getNewFractureTimeAbsentReason());
    }
}
