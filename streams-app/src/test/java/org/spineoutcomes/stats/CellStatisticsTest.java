package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CellStatisticsTest {

    static final LocalDate MAR_31 = LocalDate.of(2024, 3, 31);

    static Contribution patient(double pain, boolean lowPain, LocalDate windowLast, boolean assessed) {
        return Contribution.builder().value(Measures.PAIN, pain).flag(Measures.LOW_PAIN, lowPain)
                .pair(Measures.PAIN_PAIR, 8, pain).completeness(windowLast, assessed).build();
    }

    @Test
    void addsUpOnePatientPerContribution() {
        CellStatistics s = CellStatistics.of(List.of(patient(3, true, MAR_31, true), patient(5, false, MAR_31, true)));
        assertEquals(2, s.patients());
        // pain 3 and 5: n 2, sum 8, sum of squares 9 + 25 = 34
        assertEquals(Moments.of(2, BigDecimal.valueOf(8), BigDecimal.valueOf(34)), s.moments().get(Measures.PAIN));
        assertEquals(new Proportion(2, 1), s.proportions().get(Measures.LOW_PAIN));
        // pairs (8,3), (8,5): Sx 16, Sy 8, Sxx 128, Syy 34, Sxy 64
        assertEquals(PairedMoments.of(2, BigDecimal.valueOf(16), BigDecimal.valueOf(8), BigDecimal.valueOf(128),
                BigDecimal.valueOf(34), BigDecimal.valueOf(64)), s.paired().get(Measures.PAIN_PAIR));
    }

    @Test
    void perLevelValuesCountUnitsNotPatients() {
        // one patient, two index levels with gains 2.5 and 1.5 mm: n = 2 units, patients = 1
        CellStatistics s = CellStatistics.empty().add(Contribution.builder()
                .value(Measures.HEIGHT_GAIN_ANTERIOR_MM, 2.5).value(Measures.HEIGHT_GAIN_ANTERIOR_MM, 1.5).build());
        assertEquals(1, s.patients());
        assertEquals(2, s.moments().get(Measures.HEIGHT_GAIN_ANTERIOR_MM).n());
        assertFalse(s.hasCompleteness());
    }

    @Test
    void addThenSubtractReturnsTheEmptyCellAndRemovesEntries() {
        Contribution c = patient(0.1, true, MAR_31, false);
        CellStatistics s = CellStatistics.empty().add(c);
        assertFalse(s.isEmpty());
        s.subtract(c);
        assertTrue(s.isEmpty());
        assertEquals(CellStatistics.empty(), s);
        assertTrue(s.moments().isEmpty());
        assertTrue(s.completenessCounts().isEmpty());
    }

    @Test
    void equalSumsReachedDifferentlyAreEqual() {
        // 0.5 + 0.5 and 1 + 0 give the same exact sum 1 (BigDecimal scales differ before canonicalisation)
        Moments a = Moments.ofValues(0.5, 0.5);
        Moments b = Moments.ofValues(1, 0);
        assertEquals(a.sum(), b.sum());
        assertNotEquals(a, b); // sums of squares differ: 0.5 vs 1
        assertEquals(Moments.ofValues(0.25, 0.75).plus(1).minus(1), Moments.ofValues(0.75, 0.25));
    }

    @Test
    void completenessCountsOnlyWindowsElapsedAtTheCut() {
        // R33/R2: elapsed when the cut's UTC date is after the window's last accepted date.
        CellStatistics s = CellStatistics.of(List.of(
                patient(3, true, MAR_31, true),
                patient(4, true, MAR_31, false),
                patient(5, false, MAR_31.plusDays(10), true)));
        // cut on 2024-03-31 itself (late evening UTC): nothing elapsed
        CompletenessEstimate none = s.completenessAt(Instant.parse("2024-03-31T23:59:59Z"));
        assertEquals(0, none.due());
        assertEquals(Optional.of(AbsentReason.NONE_DUE), none.absentReason());
        // cut on 2024-04-01: the two March patients are due, one assessed: 1/2
        CompletenessEstimate some = s.completenessAt(Instant.parse("2024-04-01T00:00:00Z"));
        assertEquals(2, some.due());
        assertEquals(1, some.assessed());
        assertEquals(0.5, some.completeness().getAsDouble());
        // cut on 2024-04-11: all three due, two assessed: 2/3
        CompletenessEstimate all = s.completenessAt(Instant.parse("2024-04-11T00:00:00Z"));
        assertEquals(3, all.due());
        assertEquals(2.0 / 3.0, all.completeness().getAsDouble());
    }

    @Test
    void serialisationRoundTripsExactly() {
        CellStatistics s = CellStatistics.of(List.of(patient(0.1, true, MAR_31, true), patient(7.3, false, LocalDate.of(1999, 1, 1), false),
                Contribution.builder().value(Measures.EQ5D_CHANGE, -0.123456789e-7).build()));
        byte[] bytes = s.toBytes();
        CellStatistics back = CellStatistics.fromBytes(bytes);
        assertEquals(s, back);
        assertArrayEquals(bytes, back.toBytes());
        // R35: the value as written, -1.23456789E-8 exactly (not the binary double's 70-digit expansion).
        assertEquals(new BigDecimal("-1.23456789E-8"), s.moments().get(Measures.EQ5D_CHANGE).sum());
        // And 0.1 + 7.3 = 7.4 exactly as decimals.
        assertEquals(new BigDecimal("7.4"), s.moments().get(Measures.PAIN).sum());
    }

    @Test
    void malformedBytesAreRejectedWithAReason() {
        byte[] good = CellStatistics.of(List.of(patient(3, true, MAR_31, true))).toBytes();
        byte[] wrongVersion = good.clone();
        wrongVersion[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CellStatistics.fromBytes(wrongVersion))
                .getMessage().contains("version"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(IllegalArgumentException.class, () -> CellStatistics.fromBytes(truncated));
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CellStatistics.fromBytes(trailing))
                .getMessage().contains("trailing"));
    }

    @Test
    void subtractBeforeAddIsAllowedAndNetsOut() {
        // the group property: a subtraction arriving first leaves negative counts, the addition cancels them
        Contribution c = patient(6, false, MAR_31, true);
        CellStatistics s = CellStatistics.empty().subtract(c);
        assertEquals(-1, s.patients());
        assertFalse(s.hasNoNegativeCounts());
        s.add(c);
        assertEquals(CellStatistics.empty(), s);
    }

    @Test
    void rejectsNonFiniteValues() {
        assertThrows(IllegalArgumentException.class, () -> Moments.ZERO.plus(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> PairedMoments.ZERO.plus(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void replacingOnlyTheDifferingPart_equalsSubtractingAndAddingWhole() {
        // Old: pain 6, LOW_PAIN false, pair (8, 6), window ends MAR_31, assessed. New: pain 3, LOW_PAIN true,
        // same completeness. The cell of the patient plus one other (pain 7.3) must end the same either way.
        Contribution other = patient(7.3, false, MAR_31, true);
        Contribution before = patient(6, false, MAR_31, true);
        Contribution after = patient(3, true, MAR_31, true);
        CellStatistics whole = CellStatistics.of(List.of(other, before)).subtract(before).add(after);
        CellStatistics part = CellStatistics.of(List.of(other, before))
                .subtract(before.onlyWhereDifferentFrom(after)).add(after.onlyWhereDifferentFrom(before));
        assertEquals(whole, part);
        assertEquals(CellStatistics.of(List.of(other, after)), part);
        // Nothing differs in the completeness part, so neither side carries it.
        assertEquals(null, before.onlyWhereDifferentFrom(after).windowLastDate());
        // 7.3 + 3 = 10.3 exactly.
        assertEquals(new BigDecimal("10.3"), part.moments().get(Measures.PAIN).sum());
    }
}
