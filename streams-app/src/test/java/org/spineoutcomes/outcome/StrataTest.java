package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spineoutcomes.schema.Stratum.*;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.Stratum;

/** R29 strata, straight from {@link Strata#of}: each boundary on both sides. */
class StrataTest {

    /** The stratum added for one input when every other input is unknown (list = ALL, that stratum). */
    static Stratum only(List<Stratum> strata) {
        assertEquals(2, strata.size(), strata.toString());
        assertEquals(ALL, strata.get(0));
        return strata.get(1);
    }

    @ParameterizedTest(name = "age {0} -> {1}")
    @CsvSource({"0, AGE_LT_65", "64, AGE_LT_65", "65, AGE_65_74", "74, AGE_65_74", "75, AGE_75_84",
            "84, AGE_75_84", "85, AGE_GE_85", "120, AGE_GE_85"})
    void ageBands_lowerBoundBelongsToTheHigherBand(int age, Stratum expected) {
        // Bands [.., 65), [65, 75), [75, 85), [85, ..): 64 < 65 is LT_65, 65 is the first of 65_74, and so on.
        assertEquals(expected, only(Strata.of(age, null, null, null)));
    }

    @ParameterizedTest(name = "fracture age {0} days -> {1}")
    @CsvSource({"0, FRACTURE_AGE_LE_6W", "42, FRACTURE_AGE_LE_6W", "43, FRACTURE_AGE_GT_6W", "400, FRACTURE_AGE_GT_6W"})
    void fractureAge_42DaysIsStillSixWeeks(int days, Stratum expected) {
        // 6 weeks = 6 x 7 = 42 days: 42 <= 42 is LE_6W, 43 > 42 is GT_6W.
        assertEquals(expected, only(Strata.of(null, null, days, null)));
    }

    @Test
    void negativeFractureAge_onsetAfterIndex_isInNoFractureStratum() {
        // Onset 1 day after the index: age -1, valid but neither LE_6W nor GT_6W.
        assertEquals(List.of(ALL), Strata.of(null, null, -1, null));
    }

    @Test
    void baselinePain_vas79mmIsBelow8_vas80mmIsHigh() {
        // VAS mm / 10 exactly (R16): 79 mm -> 7.9 < 8 -> LT_8; 80 mm -> 8.0, and 8.0 >= 8 -> GE_8.
        BigDecimal p79 = ScoreWindows.pain(vas("b", day(-1), 79.0));
        BigDecimal p80 = ScoreWindows.pain(vas("b", day(-1), 80.0));
        assertEquals(new BigDecimal("7.9"), p79);
        assertEquals(0, p80.compareTo(BigDecimal.valueOf(8)));
        assertEquals(BASELINE_PAIN_LT_8, only(Strata.of(null, null, null, p79)));
        assertEquals(BASELINE_PAIN_GE_8, only(Strata.of(null, null, null, p80)));
    }

    @Test
    void baselinePain_vas79point9mm_isStillBelow8() {
        // 79.9 mm -> 7.99 exactly, not rounded up to 8: LT_8.
        assertEquals(BASELINE_PAIN_LT_8, only(Strata.of(null, null, null, ScoreWindows.pain(vas("b", day(-1), 79.9)))));
    }

    @Test
    void sex_onlyFemaleAndMaleFormStrata() {
        assertEquals(SEX_F, only(Strata.of(null, Sex.F, null, null)));
        assertEquals(SEX_M, only(Strata.of(null, Sex.M, null, null)));
        assertEquals(List.of(ALL), Strata.of(null, Sex.OTHER, null, null));
        assertEquals(List.of(ALL), Strata.of(null, Sex.UNKNOWN, null, null));
    }

    @Test
    void everyInputKnown_oneStratumEachInFixedOrder() {
        // Age 78 -> 75_84; fracture age 20 <= 42 -> LE_6W; baseline NRS 9 >= 8 -> GE_8; F.
        assertEquals(List.of(ALL, FRACTURE_AGE_LE_6W, BASELINE_PAIN_GE_8, AGE_75_84, SEX_F),
                Strata.of(78, Sex.F, 20, BigDecimal.valueOf(9)));
    }

    @Test
    void publicAliasesEqualTheRuleConstants() {
        assertEquals(42, OutcomeEngine.FRACTURE_AGE_6W_DAYS);
        assertEquals(0, OutcomeEngine.BASELINE_PAIN_HIGH.compareTo(BigDecimal.valueOf(8)));
    }
}
