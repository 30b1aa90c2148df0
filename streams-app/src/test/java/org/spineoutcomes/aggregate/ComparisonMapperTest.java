package org.spineoutcomes.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AncovaAdjustedDifference;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.ArmComparisonName;
import org.spineoutcomes.schema.NewcombeRiskDifference;
import org.spineoutcomes.schema.StatisticAbsentReason;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.WelchMeanDifference;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;

class ComparisonMapperTest {

    static final LocalDate LAST = LocalDate.of(2024, 5, 10);

    static Contribution patient(double baseline, double followUp, Boolean lowPain) {
        Contribution.Builder b = Contribution.builder().value(Measures.PAIN, followUp).pair(Measures.PAIN_PAIR, baseline, followUp)
                .completeness(LAST, true);
        if (lowPain != null) b.flag(Measures.LOW_PAIN, lowPain);
        return b.build();
    }

    /** The ANCOVA hand example of InferenceWorkedExamplesTest; follow-up pains 3, 2, 4 vs 6, 6, 3, 5. */
    static CellStatistics vertebroplasty() {
        return CellStatistics.of(List.of(patient(8, 3, true), patient(6, 2, true), patient(7, 4, false)));
    }

    static CellStatistics conservative() {
        List<Contribution> cs = new ArrayList<>(List.of(patient(8, 6, false), patient(10, 6, false), patient(6, 3, true), patient(8, 5, null)));
        cs.add(Contribution.builder().value(Measures.ODI, 40).completeness(LAST, false).build()); // odi only in this arm
        return CellStatistics.of(cs);
    }

    @Test
    void registryNamesThePairsFirstMinusSecond() {
        assertEquals("VERTEBROPLASTY", Comparison.VP_vs_CONSERVATIVE.first());
        assertEquals("CONSERVATIVE", Comparison.VP_vs_CONSERVATIVE.second());
        assertEquals("KYPHOPLASTY", Comparison.KP_vs_VP.first());
        assertEquals("VERTEBROPLASTY", Comparison.KP_vs_VP.second());
        assertEquals(List.of(Comparison.VP_vs_CONSERVATIVE, Comparison.KP_vs_VP), Comparison.involving("VERTEBROPLASTY"));
        assertEquals(List.of(), Comparison.involving("OPEN_SURGERY"));
        assertEquals(List.of("ITT/VP_vs_CONSERVATIVE/M3/ALL", "ITT/KP_vs_CONSERVATIVE/M3/ALL"),
                ComparisonMapper.keysInvolving(new CellKey("ITT", "CONSERVATIVE", "M3", "ALL")));
        assertEquals(new CellKey("AS_TREATED", "KYPHOPLASTY", "M1", "SEX_M"),
                ComparisonMapper.firstCell("AS_TREATED", Comparison.KP_vs_VP, "M1", "SEX_M"));
    }

    @Test
    void mapsWelchAncovaAndNewcombe() {
        ArmComparison c = ComparisonMapper.toArmComparison("ITT", Comparison.VP_vs_CONSERVATIVE, "M3", "ALL",
                vertebroplasty(), conservative());
        assertEquals(ArmComparisonName.VP_vs_CONSERVATIVE, c.getComparison());
        assertEquals(TreatmentArm.VERTEBROPLASTY, c.getFirstArm());
        assertEquals(TreatmentArm.CONSERVATIVE, c.getSecondArm());
        assertEquals(3, c.getFirstPatients());
        assertEquals(5, c.getSecondPatients());

        WelchMeanDifference odi = c.getMeanDifferences().get(0);
        assertEquals("odi", odi.getMeasure());
        assertEquals(0, odi.getN1());
        assertNull(odi.getMeanDifference());
        assertEquals(StatisticAbsentReason.N_ZERO, odi.getAbsentReason());

        WelchMeanDifference pain = c.getMeanDifferences().get(1);
        // first 3, 2, 4: mean 3, s^2 = (1 + 0 + 1)/2 = 1; second 6, 6, 3, 5: mean 5, s^2 = (1 + 1 + 4 + 0)/3 = 2
        // SE = sqrt(1/3 + 2/4) = sqrt(5/6) = 0.9128709291752769
        // df = (5/6)^2 / ((1/3)^2/2 + (1/2)^2/3) = (25/36) / (1/18 + 1/12) = (25/36) / (5/36) = 5
        assertEquals(-2.0, pain.getMeanDifference(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 6.0), pain.getSe(), 1e-15);
        assertEquals(5.0, pain.getDf(), 1e-12);
        // t(0.975, 5) = 2.570581835636314: the closed-form CDF for 5 df, 1/2 + (th + sin th cos th (1 + 2/3 cos^2 th)) / pi
        // with th = arctan(t / sqrt 5), inverted by bisection in Python. CI = -2 -/+ 2.570581835636314 * 0.9128709291752769
        assertEquals(-2 - 2.570581835636314 * Math.sqrt(5.0 / 6.0), pain.getCiLower(), 1e-12);

        AncovaAdjustedDifference ancova = c.getAdjustedDifferences().get(0);
        // hand example: slope 0.7, delta -1.3, df 4, Var 1271/2400
        assertEquals(Measures.PAIN_PAIR, ancova.getMeasure());
        assertEquals(0.7, ancova.getSlope(), 1e-15);
        assertEquals(-1.3, ancova.getAdjustedDifference(), 1e-15);
        assertEquals(4L, ancova.getDf());
        assertEquals(Math.sqrt(1271.0 / 2400.0), ancova.getSe(), 1e-15);
        assertEquals(-3.3204878612176207, ancova.getCiLower(), 1e-12);

        NewcombeRiskDifference low = c.getRiskDifferences().get(0);
        // LOW_PAIN 2 of 3 vs 1 of 3 (one conservative patient has it undefined): D = 1/3
        assertEquals("LOW_PAIN", low.getFlag());
        assertEquals(3, low.getN1());
        assertEquals(3, low.getN2());
        assertEquals(1.0 / 3.0, low.getDifference(), 1e-15);
        assertTrue(low.getCiLower() < 0 && low.getCiUpper() > 0.6, low.toString());
    }

    @Test
    void needsBothCells() {
        assertFalse(ComparisonMapper.exists(vertebroplasty(), null));
        assertFalse(ComparisonMapper.exists(vertebroplasty(), CellStatistics.empty()));
        assertTrue(ComparisonMapper.exists(vertebroplasty(), conservative()));
        assertThrows(IllegalArgumentException.class, () -> ComparisonMapper.toArmComparison("ITT", Comparison.KP_vs_VP, "M3", "ALL",
                null, vertebroplasty()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ComparisonMapper.toArmComparison(
                "ITT", Comparison.KP_vs_VP, "M5", "ALL", conservative(), vertebroplasty()));
        assertTrue(bad.getMessage().startsWith("window:"), bad.getMessage());
    }
}
