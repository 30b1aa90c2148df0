package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.schema.ComplicationType.CEMENT_LEAKAGE;
import static org.spineoutcomes.schema.ComplicationType.INFECTION;
import static org.spineoutcomes.schema.ComplicationType.NEW_VERTEBRAL_FRACTURE;
import static org.spineoutcomes.schema.VertebralLevel.L1;
import static org.spineoutcomes.schema.VertebralLevel.L2;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.OutcomeComplication;
import org.spineoutcomes.schema.PatientOutcome;

/** R27 and R28 straight from {@link ComplicationsAndMedication}. */
class ComplicationsAndMedicationTest {

    static final TreatmentHistory HISTORY = TreatmentHistory.of(List.of(vertebroplasty("p1", INDEX))).orElseThrow();

    @Test
    void complications_countedOncePerTypeLevelDate_fromDayZero() {
        // Leak L1 on day 2 reported in two reports -> once; infection without a date in a report on day 9 -> day 9;
        // a new fracture dated day -1 -> not counted. Listed by date: leak (day 2), infection (day 9).
        FollowUpEvent r1 = followUp("r1", day(3)).setComplications(List.of(
                complication(CEMENT_LEAKAGE, L1, INDEX_DATE.plusDays(2)),
                complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.minusDays(1)))).build();
        FollowUpEvent r2 = followUp("r2", day(9)).setComplications(List.of(
                complication(CEMENT_LEAKAGE, L1, INDEX_DATE.plusDays(2)),
                complication(INFECTION, null, null))).build();
        List<OutcomeComplication> c = new ComplicationsAndMedication(List.of(r1, r2)).complications(HISTORY);
        assertEquals(List.of(CEMENT_LEAKAGE, INFECTION), c.stream().map(OutcomeComplication::getType).toList());
        assertEquals(List.of(2, 9), c.stream().map(OutcomeComplication::getDaysFromIndex).toList());
        assertEquals(Set.of(L1), ComplicationsAndMedication.cementLeakLevels(c));
    }

    @Test
    void cementLeakageWithoutLevel_flagsNoLevel() {
        FollowUpEvent r = followUp("r", day(3)).setComplications(List.of(complication(CEMENT_LEAKAGE, null, null))).build();
        List<OutcomeComplication> c = new ComplicationsAndMedication(List.of(r)).complications(HISTORY);
        assertEquals(1, c.size());
        assertEquals(Set.of(), ComplicationsAndMedication.cementLeakLevels(c));
    }

    @Test
    void medication_earliestStartAnyDate_daysFromIndexMayBeNegative() {
        // Denosumab from 2024-02-20 (day -10) in a report on day 30; calcium without a date in a report on
        // day 5 (-> 2024-03-06). Earliest 2024-02-20: days to medication = -10.
        FollowUpEvent a = followUp("a", day(30)).setMedications(List.of(
                medication(MedicationClass.DENOSUMAB, INDEX_DATE.minusDays(10)))).build();
        FollowUpEvent b = followUp("b", day(5)).setMedications(List.of(medication(MedicationClass.CALCIUM, null))).build();
        ComplicationsAndMedication m = new ComplicationsAndMedication(List.of(a, b));
        PatientOutcome.Builder out = PatientOutcome.newBuilder();
        m.writeMedication(out);
        m.writeDaysToMedication(out, HISTORY);
        assertTrue(out.getMedicationStarted());
        assertEquals(INDEX_DATE.minusDays(10), out.getMedicationStartDate());
        assertEquals(List.of(MedicationClass.DENOSUMAB, MedicationClass.CALCIUM), out.getMedicationClasses()); // enum order
        assertEquals(-10, out.getDaysToMedication());
    }

    @Test
    void noMedication_notStartedAndDaysNotApplicable() {
        ComplicationsAndMedication m = new ComplicationsAndMedication(List.of(nrs("a", day(30), 3)));
        PatientOutcome.Builder out = PatientOutcome.newBuilder();
        m.writeMedication(out);
        m.writeDaysToMedication(out, HISTORY);
        assertFalse(out.getMedicationStarted());
        assertNull(out.getMedicationStartDate());
        assertEquals(AbsentReason.NOT_APPLICABLE, out.getDaysToMedicationAbsentReason());
    }
}
