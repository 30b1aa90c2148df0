package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * R36 on cases small enough to check on paper; the arithmetic is in each test's comment. The pattern
 * names are arbitrary strings here (the outcome package makes the real ones).
 */
class StandardisationTest {

    static final String RELIEF = Measures.PAIN_RELIEF;
    static final String S1 = "AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W";
    static final String S2 = "AGE_65_74/SEX_M/BASELINE_PAIN_LT_8/FRACTURE_AGE_GT_6W";
    static final String S3 = "AGE_GE_85/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_GT_6W";
    static final double Z = 1.959963984540054;

    static PatternStatistics arm(String measure, Object... patternThenValues) {
        List<PatternContribution> patients = new ArrayList<>();
        String pattern = null;
        for (Object o : patternThenValues) {
            if (o instanceof String s) {
                pattern = s;
            } else {
                patients.add(new PatternContribution(pattern, Map.of(measure, ((Number) o).doubleValue())));
            }
        }
        return PatternStatistics.of(patients);
    }

    @Test
    void twoUsablePatterns_theRulesWorkedExample_withAnUnusablePatternAndUnclassifiedPatients() {
        // docs/computation-rules.md R36 example.
        // s1: A = {3, 5}: n 2, mean 4, var ((-1)^2 + 1^2) / 1 = 2;  B = {1, 3}: n 2, mean 2, var 2.
        // s2: A = {2, 3, 4}: n 3, mean 3, var (1 + 0 + 1) / 2 = 1;  B = {1, 4, 4}: n 3, mean 3, var (4 + 1 + 1) / 2 = 3.
        // s3: A = {7} (n = 1) and B = {2, 2, 8, 8}: not usable (A has fewer than 2).
        // Unclassified: A = {6, 9}.
        // Weights over usable patterns: (2 + 2) / 10 = 0.4 and (3 + 3) / 10 = 0.6.
        // difference = 0.4 (4 - 2) + 0.6 (3 - 3) = 0.8
        // variance   = 0.16 (2/2 + 2/2) + 0.36 (1/3 + 3/3) = 0.32 + 0.48 = 0.8
        // CI = 0.8 +- 1.959963984540054 x sqrt(0.8) = 0.8 +- 1.7530450811531632 = (-0.9530450811531632, 2.5530450811531632)
        // Shares: A 5 of 8 with a value (2 + 3 + 1 + 2), B 5 of 9 (2 + 3 + 4), pooled 10 / 17.
        // Crude (all patients with a value): mean A 39/8, mean B 33/9 = 11/3, difference 29/24.
        PatternStatistics a = arm(RELIEF, S1, 3, 5, S2, 2, 3, 4, S3, 7, PatternContribution.UNCLASSIFIED, 6, 9);
        PatternStatistics b = arm(RELIEF, S1, 1, 3, S2, 1, 4, 4, S3, 2, 2, 8, 8);
        StandardisedEstimate e = Standardisation.compare(a, b, RELIEF);
        assertEquals(Optional.empty(), e.absentReason());
        assertEquals(2, e.usablePatterns());
        assertEquals(8, e.n1());
        assertEquals(9, e.n2());
        assertEquals(5, e.usableN1());
        assertEquals(5, e.usableN2());
        assertEquals(5.0 / 8, e.share1().getAsDouble(), 1e-15);
        assertEquals(5.0 / 9, e.share2().getAsDouble(), 1e-15);
        assertEquals(10.0 / 17, e.sharePooled().getAsDouble(), 1e-15);
        assertEquals(0.8, e.difference().getAsDouble(), 1e-15);
        assertEquals(0.8, e.variance().getAsDouble(), 1e-15);
        assertEquals(Math.sqrt(0.8), e.se().getAsDouble(), 1e-15);
        assertEquals(-0.9530450811531632, e.ciLower().getAsDouble(), 1e-14);
        assertEquals(2.5530450811531632, e.ciUpper().getAsDouble(), 1e-14);
        assertEquals(8, e.crude().n1());
        assertEquals(9, e.crude().n2());
        assertEquals(29.0 / 24, e.crude().meanDifference().getAsDouble(), 1e-15);
    }

    @Test
    void theFlagAsZeroOrOne_usesTheSampleVariance() {
        // MCID_2PT as 0/1. s1: A = {1, 1, 0}: p = 2/3, var = (2/3)(1/3)(3/2) = 1/3 (the rule's flag check);
        //                      B = {1, 0}:    p = 1/2, var = (1/2)(1/2)(2/1) = 1/2.
        // s2: A = {1, 1}: p 1, var 0;  B = {0, 0}: p 0, var 0 (still usable: 2 in each arm).
        // Weights 5/9 and 4/9. difference = 5/9 (2/3 - 1/2) + 4/9 (1 - 0) = 5/54 + 24/54 = 29/54
        // variance = (5/9)^2 (1/3 / 3 + 1/2 / 2) + (4/9)^2 x 0 = 25/81 x 13/36 = 325/2916
        String flag = Measures.MCID_2PT;
        StandardisedEstimate e = Standardisation.compare(arm(flag, S1, 1, 1, 0, S2, 1, 1), arm(flag, S1, 1, 0, S2, 0, 0), flag);
        assertEquals(29.0 / 54, e.difference().getAsDouble(), 1e-15);
        assertEquals(325.0 / 2916, e.variance().getAsDouble(), 1e-15);
        double half = Z * Math.sqrt(325.0 / 2916);
        assertEquals(29.0 / 54 - half, e.ciLower().getAsDouble(), 1e-14);
        assertEquals(29.0 / 54 + half, e.ciUpper().getAsDouble(), 1e-14);
    }

    @Test
    void aPatternNeedsTwoPatientsInEachArm_elseNoUsablePattern() {
        // s1: A 2 patients, B 1; s2: A 1, B 3. Each arm has values, no pattern is usable: estimate and CI
        // absent, counts 0, shares 0 of 3 and 0 of 4; the crude difference is still there:
        // mean A (1 + 2 + 4) / 3 = 7/3, mean B (5 + 1 + 1 + 1) / 4 = 2, difference 1/3.
        StandardisedEstimate e = Standardisation.compare(arm(RELIEF, S1, 1, 2, S2, 4), arm(RELIEF, S1, 5, S2, 1, 1, 1), RELIEF);
        assertEquals(Optional.of(AbsentReason.NO_USABLE_PATTERN), e.absentReason());
        assertEquals(0, e.usablePatterns());
        assertEquals(0, e.usableN1());
        assertEquals(0.0, e.share1().getAsDouble());
        assertEquals(0.0, e.sharePooled().getAsDouble());
        assertFalse(e.difference().isPresent());
        assertFalse(e.variance().isPresent());
        assertFalse(e.ciLower().isPresent());
        assertEquals(3, e.n1());
        assertEquals(4, e.n2());
        assertEquals(1.0 / 3, e.crude().meanDifference().getAsDouble(), 1e-15);
    }

    @Test
    void onlyUnclassifiedPatients_haveNoUsablePattern() {
        // Unclassified patients count in the shares' denominators but never form a pattern, however many.
        PatternStatistics a = arm(RELIEF, PatternContribution.UNCLASSIFIED, 1, 2, 3);
        PatternStatistics b = arm(RELIEF, PatternContribution.UNCLASSIFIED, 4, 5, 6);
        StandardisedEstimate e = Standardisation.compare(a, b, RELIEF);
        assertEquals(Optional.of(AbsentReason.NO_USABLE_PATTERN), e.absentReason());
        assertEquals(3, e.n1());
        assertEquals(0.0, e.share2().getAsDouble());
        assertEquals(-3.0, e.crude().meanDifference().getAsDouble(), 1e-15);
    }

    @Test
    void constantValuesInEveryUsablePattern_giveZeroVariance() {
        // s1: A {2, 2}, B {1, 1}; s2: A {0, 0, 0}, B {3, 3}: every within-arm variance is 0, so the variance is 0:
        // estimate and CI absent (ZERO_VARIANCE), variance reported as 0.
        StandardisedEstimate e = Standardisation.compare(arm(RELIEF, S1, 2, 2, S2, 0, 0, 0), arm(RELIEF, S1, 1, 1, S2, 3, 3), RELIEF);
        assertEquals(Optional.of(AbsentReason.ZERO_VARIANCE), e.absentReason());
        assertEquals(2, e.usablePatterns());
        assertEquals(0.0, e.variance().getAsDouble());
        assertFalse(e.difference().isPresent());
        assertFalse(e.ciUpper().isPresent());
    }

    @Test
    void anArmWithoutAValue_isNZero() {
        // The record does not exist then (R36); computed anyway, everything derived is absent.
        StandardisedEstimate e = Standardisation.compare(arm(RELIEF, S1, 1, 2), new PatternStatistics(), RELIEF);
        assertEquals(Optional.of(AbsentReason.N_ZERO), e.absentReason());
        assertEquals(2, e.n1());
        assertEquals(0, e.n2());
        assertFalse(e.share2().isPresent());
        assertEquals(0.0, e.share1().getAsDouble()); // no usable pattern: 0 of 2
    }

    @Test
    void measuresAreSeparate_andAMeasureWithoutValuesInAPatientIsNotCounted() {
        // Patient p: relief 3 and no ODI change; patient q: ODI change -10 only.
        PatternStatistics s = new PatternStatistics()
                .add(new PatternContribution(S1, Map.of(RELIEF, 3.0)))
                .add(new PatternContribution(S1, Map.of(Measures.ODI_CHANGE, -10.0)));
        assertEquals(1, s.total(RELIEF).n());
        assertEquals(1, s.total(Measures.ODI_CHANGE).n());
        assertEquals(0, s.total(Measures.MCID_2PT).n());
        assertTrue(s.patterns(Measures.MCID_2PT).isEmpty());
    }

    @Test
    void removingEveryPatientLeavesAnEmptyCell_andANonFiniteValueIsRefused() {
        PatternContribution p = new PatternContribution(S1, Map.of(RELIEF, 0.1, Measures.MCID_2PT, 0.0));
        PatternStatistics s = new PatternStatistics().add(p).subtract(p);
        assertTrue(s.isEmpty());
        assertEquals(new PatternStatistics(), s);
        PatternStatistics early = new PatternStatistics().subtract(p); // a subtraction before its addition
        assertFalse(early.hasNoNegativeCounts());
        assertTrue(early.add(p).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new PatternContribution(S1, Map.of(RELIEF, Double.NaN)));
    }
}
