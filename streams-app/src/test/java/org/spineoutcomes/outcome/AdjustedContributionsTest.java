package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.outcome.OutcomeEngineScoresTest.compute;
import static org.spineoutcomes.schema.ComplicationType.NEW_VERTEBRAL_FRACTURE;
import static org.spineoutcomes.schema.VertebralLevel.L2;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Measures;
import org.spineoutcomes.stats.PatternContribution;
import org.spineoutcomes.stats.SurvivalTime;

/** The patient's R36 pattern and its contributions to the R36 and R37 cells. */
class AdjustedContributionsTest {

    @Test
    void pattern_isTheFourR29StrataOfTheIndexEvent() {
        // EventFixtures: 78-year-old woman, onset 20 days before the index; baseline NRS 8 (exactly 8 is >= 8).
        PatientOutcome o = compute(vertebroplasty("p1", INDEX), nrs("b", day(-1), 8));
        assertEquals("AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W", AdjustedContributions.pattern(o));
        // 64 years, male, VAS 79.9 mm = 7.99 (< 8, exact), onset 43 days before (> 42).
        PatientOutcome other = compute(procedure("p1", INDEX, "22511").setAgeYears(64).setSex(Sex.M)
                .setFractureOnsetDate(INDEX_DATE.minusDays(43)).build(), vas("b", day(-1), 79.9));
        assertEquals("AGE_LT_65/SEX_M/BASELINE_PAIN_LT_8/FRACTURE_AGE_GT_6W", AdjustedContributions.pattern(other));
    }

    @Test
    void anyMissingFactor_leavesThePatientUnclassified() {
        String unclassified = PatternContribution.UNCLASSIFIED;
        // No baseline pain.
        assertEquals(unclassified, AdjustedContributions.pattern(compute(vertebroplasty("p1", INDEX))));
        // Sex other than F or M.
        assertEquals(unclassified, AdjustedContributions.pattern(compute(
                procedure("p1", INDEX, "22511").setSex(Sex.OTHER).build(), nrs("b", day(-1), 8))));
        // Unknown age.
        assertEquals(unclassified, AdjustedContributions.pattern(compute(
                procedure("p1", INDEX, "22511").setAgeYears(null).build(), nrs("b", day(-1), 8))));
        // Fracture onset after the index (valid, but in no fracture-age stratum).
        assertEquals(unclassified, AdjustedContributions.pattern(compute(
                procedure("p1", INDEX, "22511").setFractureOnsetDate(INDEX_DATE.plusDays(1)).build(), nrs("b", day(-1), 8))));
    }

    @Test
    void standardisationCells_perPopulationArmAndWindow_withTheDefinedValues() {
        // Conservative care on day 0, vertebroplasty on day 20 (crossover). Baseline NRS 8, ODI 60.
        // M1 (day 30): NRS 7, no ODI -> relief 1, MCID_2PT false (0), no ODI change.
        // M3 (day 90): NRS 3, ODI 40 -> relief 5, MCID_2PT true (1), ODI change -20.
        // W1 has no assessment: no cell. BASELINE is never a standardisation cell.
        // ITT arm CONSERVATIVE; as-treated CONSERVATIVE at D1/W1 and VERTEBROPLASTY from M1 (R7).
        PatientOutcome o = compute(conservative("c1", INDEX).build(), vertebroplasty("p2", day(20)),
                followUp("b", day(-1)).setPainNrs(8).setOdi(60.0).build(), nrs("m1", day(30), 7),
                followUp("m3", day(90)).setPainNrs(3).setOdi(40.0).build());
        Map<CellKey, PatternContribution> cells = AdjustedContributions.standardisation(o);
        assertEquals(Set.of("ITT/CONSERVATIVE/M1/ALL", "AS_TREATED/VERTEBROPLASTY/M1/ALL",
                        "ITT/CONSERVATIVE/M3/ALL", "AS_TREATED/VERTEBROPLASTY/M3/ALL"),
                cells.keySet().stream().map(CellKey::asText).collect(Collectors.toSet()));
        PatternContribution m1 = cells.get(CellKey.parse("ITT/CONSERVATIVE/M1/ALL"));
        assertEquals("AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W", m1.pattern());
        assertEquals(Map.of(Measures.PAIN_RELIEF, 1.0, Measures.MCID_2PT, 0.0), m1.values());
        PatternContribution m3 = cells.get(CellKey.parse("AS_TREATED/VERTEBROPLASTY/M3/ALL"));
        assertEquals(Map.of(Measures.PAIN_RELIEF, 5.0, Measures.MCID_2PT, 1.0, Measures.ODI_CHANGE, -20.0), m3.values());
    }

    @Test
    void aFollowUpWithoutBaseline_contributesNothing_butAnUnclassifiedPatientWithValuesDoes() {
        // No baseline: no relief, no ODI change, no MCID_2PT anywhere -> no standardisation cell.
        assertTrue(AdjustedContributions.standardisation(compute(vertebroplasty("p1", INDEX), nrs("m1", day(30), 3))).isEmpty());
        // Sex UNKNOWN but relief defined: in the cells, as UNCLASSIFIED (denominator of the shares).
        PatientOutcome o = compute(procedure("p1", INDEX, "22511").setSex(Sex.UNKNOWN).build(), nrs("b", day(-1), 6),
                nrs("m1", day(30), 3));
        PatternContribution c = AdjustedContributions.standardisation(o).get(CellKey.parse("ITT/VERTEBROPLASTY/M1/ALL"));
        assertEquals(PatternContribution.UNCLASSIFIED, c.pattern());
        assertEquals(3.0, c.values().get(Measures.PAIN_RELIEF));
    }

    @Test
    void survivalCells_perPopulationArmAndStratum_withTheOverallAsTreatedArm() {
        // Conservative then vertebroplasty on day 20: ITT CONSERVATIVE, OVERALL as-treated VERTEBROPLASTY (R29).
        // Strata: ALL, FRACTURE_AGE_LE_6W, AGE_75_84, SEX_F (no baseline pain -> no pain stratum) = 4 per population.
        // New fracture on day 50: (50, event) in every cell.
        PatientOutcome o = compute(conservative("c1", INDEX).build(), vertebroplasty("p2", day(20)),
                followUp("f1", day(60)).setComplications(List.of(complication(NEW_VERTEBRAL_FRACTURE, L2, INDEX_DATE.plusDays(50)))).build());
        Map<CellKey, SurvivalTime> cells = AdjustedContributions.survival(o);
        assertEquals(8, cells.size());
        assertEquals(new SurvivalTime(50, true), cells.get(CellKey.parse("ITT/CONSERVATIVE/OVERALL/ALL")));
        assertEquals(new SurvivalTime(50, true), cells.get(CellKey.parse("AS_TREATED/VERTEBROPLASTY/OVERALL/SEX_F")));
        assertFalse(cells.containsKey(CellKey.parse("AS_TREATED/CONSERVATIVE/OVERALL/ALL")));
    }

    @Test
    void withoutATreatment_noCellAtAll() {
        PatientOutcome o = compute(nrs("f1", day(30), 3));
        assertTrue(AdjustedContributions.standardisation(o).isEmpty());
        assertTrue(AdjustedContributions.survival(o).isEmpty());
        assertNull(AdjustedContributions.survivalTime(o));
    }

    @Test
    void anOutcomeWrittenBeforeR37_isInNoKaplanMeierCell() {
        // A stored outcome of rules version 2 decodes with newFractureTime = null: it contributes nothing, so
        // subtracting it before adding the recomputed outcome leaves the cells exact.
        PatientOutcome v2 = PatientOutcome.newBuilder(compute(vertebroplasty("p1", INDEX), nrs("f1", day(30), 3)))
                .setNewFractureTime(null).setNewFractureEvent(null).build();
        assertTrue(AdjustedContributions.survival(v2).isEmpty());
    }
}
