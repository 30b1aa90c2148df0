package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.TreatmentArm;

/** R1, R4-R8 straight from {@link TreatmentHistory}. */
class TreatmentHistoryTest {

    static TreatmentHistory history(ProcedureEvent... procedures) {
        return TreatmentHistory.of(List.of(procedures)).orElseThrow();
    }

    @Test
    void unmappedCodesOnly_noTreatmentAndNoHistory() {
        // 77012 (imaging guidance) maps to no arm (R4) and there is no conservative-care start: R12.
        assertTrue(TreatmentHistory.of(List.of(procedure("x", INDEX, "77012").build())).isEmpty());
    }

    @Test
    void sameInstant_precedenceOrdersTreatments() {
        // VP "a" and KP "b" at the index instant: KP before VP (R5), so the index is "b" and ITT is KP (R6).
        TreatmentHistory h = history(vertebroplasty("a", INDEX), procedure("b", INDEX, "22513").build());
        assertEquals("b", h.index().id());
        assertEquals(TreatmentArm.KYPHOPLASTY, h.ittArm());
        assertEquals(List.of("b", "a"), h.treatments().stream().map(TreatmentHistory.Treatment::id).toList());
    }

    @Test
    void dayNumbersAreUtcCalendarDates() {
        // Index 2024-03-01T23:30Z: 40 minutes later is 2024-03-02, day 1; the start of 2024-03-01 is day 0.
        TreatmentHistory h = history(vertebroplasty("p1", Instant.parse("2024-03-01T23:30:00Z")));
        assertEquals(1, h.day(Instant.parse("2024-03-02T00:10:00Z")));
        assertEquals(0, h.day(Instant.parse("2024-03-01T00:00:00Z")));
        assertEquals(-29, h.day(LocalDate.parse("2024-02-01"))); // 2024 is a leap year: Feb has 29 days
    }

    @Test
    void asTreated_countsTreatmentsBeforeTheDay_orThroughTheLastDay() {
        // Conservative on day 0, VP on day 10 (R7).
        TreatmentHistory h = history(conservative("c", INDEX).build(), vertebroplasty("v", day(10)));
        assertEquals(TreatmentArm.CONSERVATIVE, h.asTreatedBeforeDay(10)); // 10 < 10 is false: VP not yet
        assertEquals(TreatmentArm.VERTEBROPLASTY, h.asTreatedBeforeDay(11));
        assertEquals(TreatmentArm.VERTEBROPLASTY, h.asTreatedThroughDay(10)); // 10 <= 10
        assertEquals(TreatmentArm.CONSERVATIVE, h.asTreatedThroughDay(OutcomeEngine.POST_LAST_DAY)); // POST: days 0-7
    }

    @Test
    void conservativeAfterAnIntervention_neverChangesTheArm() {
        // KP on day 0, conservative care on day 3: the as-treated arm stays KP (R7).
        TreatmentHistory h = history(procedure("k", INDEX, "22513").build(), conservative("c", day(3)).build());
        assertEquals(TreatmentArm.KYPHOPLASTY, h.asTreatedOverall());
    }

    @Test
    void crossover_isTheFirstAugmentationAfterConservativeIndex() {
        // Conservative day 0, open surgery day 5 (not an augmentation), KP day 20, VP day 40: crossover KP on day 20 (R8).
        TreatmentHistory h = history(conservative("c", INDEX).build(), procedure("o", day(5), "22612").build(),
                procedure("k", day(20), "22513").build(), vertebroplasty("v", day(40)));
        assertEquals("k", h.crossover().orElseThrow().id());
        // A VP index has no crossover, whatever follows.
        assertTrue(history(vertebroplasty("v", INDEX), procedure("k", day(20), "22513").build()).crossover().isEmpty());
    }

    @Test
    void fractureAge_isIndexDateMinusOnset() {
        // Onset 42 days before 2024-03-01 -> 42; 3 days after -> -3; unknown -> null.
        assertEquals(42, history(procedure("a", INDEX, "22511").setFractureOnsetDate(INDEX_DATE.minusDays(42)).build()).fractureAgeDays());
        assertEquals(-3, history(procedure("a", INDEX, "22511").setFractureOnsetDate(INDEX_DATE.plusDays(3)).build()).fractureAgeDays());
        assertEquals(null, history(procedure("a", INDEX, "22511").setFractureOnsetDate(null).build()).fractureAgeDays());
    }

    @Test
    void theUtcDateOfAnInstant_isItsCalendarDateInUtc_beforeAndAfter1970() {
        assertEquals(LocalDate.of(1969, 12, 31), TreatmentHistory.utcDate(Instant.parse("1969-12-31T23:59:59.999Z")));
        assertEquals(LocalDate.of(1970, 1, 1), TreatmentHistory.utcDate(Instant.parse("1970-01-01T00:00:00Z")));
        assertEquals(LocalDate.of(2024, 2, 29), TreatmentHistory.utcDate(Instant.parse("2024-02-29T23:59:59.999Z")));
        assertEquals(LocalDate.of(2024, 3, 1), TreatmentHistory.utcDate(Instant.parse("2024-03-01T00:00:00Z")));
        assertEquals(LocalDate.of(1900, 1, 1), TreatmentHistory.utcDate(Instant.parse("1900-01-01T12:00:00Z")));
    }
}
