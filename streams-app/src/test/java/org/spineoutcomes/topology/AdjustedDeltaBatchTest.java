package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.kyphoplasty;
import static org.spineoutcomes.testing.EventFixtures.nrs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Moments;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.testing.RandomCohort;

/** The patient step's R36/R37 net changes: what they fold to, and their bytes. */
class AdjustedDeltaBatchTest {

    static final String HIGH = "AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W";

    private static PatientOutcome outcome(SpecificRecord... events) {
        BatchComputation b = new BatchComputation();
        for (SpecificRecord e : events) b.add(e);
        return b.result(null).outcomes().values().iterator().next();
    }

    @Test
    void aChangedM1Score_movesOnlyTheM1CellsAndTheCensoringDay() {
        // Kyphoplasty, baseline 8, M1 pain 5 on day 30 (relief 3), then instead 2 (relief 6): the M1 standardisation
        // cells of both populations change by -3 +6 in the HIGH pattern; the day-30 censoring stays, so no survival cell moves.
        PatientOutcome before = outcome(kyphoplasty("k", "k-proc", day(0)), nrs("k", "k-base", day(-1), 8), nrs("k", "k-m1", day(30), 5));
        PatientOutcome after = outcome(kyphoplasty("k", "k-proc", day(0)), nrs("k", "k-base", day(-1), 8), nrs("k", "k-m1", day(30), 2));
        Map<String, AdjustedDeltaBatch> net = AdjustedDeltaBatch.between(before, after);
        assertEquals(List.of("AS_TREATED", "ITT"), List.copyOf(net.keySet()));
        AdjustedDeltaBatch itt = net.get("ITT");
        assertEquals(List.of(new CellKey("ITT", "KYPHOPLASTY", "M1", "ALL")), List.copyOf(itt.standardisation().keySet()));
        assertTrue(itt.survival().isEmpty(), "time and event unchanged: " + itt.survival());
        PatternStatistics m1 = itt.standardisation().get(new CellKey("ITT", "KYPHOPLASTY", "M1", "ALL"));
        Moments relief = m1.patterns("painRelief").get(HIGH);
        assertEquals(0, relief.n());
        assertEquals(0, relief.sum().compareTo(java.math.BigDecimal.valueOf(3)));          // -3 + 6
        assertEquals(0, relief.sumOfSquares().compareTo(java.math.BigDecimal.valueOf(27))); // -9 + 36
        assertTrue(m1.patterns("MCID_2PT").isEmpty(), "responder both times: no change");

        // A new patient: everything in; a patient that leaves: everything out; no change: nothing.
        AdjustedDeltaBatch in = AdjustedDeltaBatch.between(null, after).get("ITT");
        assertEquals(1, in.survival().get(new CellKey("ITT", "KYPHOPLASTY", "OVERALL", "ALL")).patients()); // censored on day 30
        assertEquals(-1, AdjustedDeltaBatch.between(after, null).get("ITT").survival()
                .get(new CellKey("ITT", "KYPHOPLASTY", "OVERALL", "SEX_F")).byDay().get(30).censored());
        assertTrue(AdjustedDeltaBatch.between(after, after).isEmpty());
    }

    @Test
    void aCohortsChangesFoldedInAnyGrouping_equalTheBatchCells_andSurviveTheirBytes() {
        // Each patient's outcome after half of its events, then after all of them: null -> half -> all, folded
        // into one batch per population, must be the batch's cells of the final outcomes.
        RandomCohort.Cohort cohort = RandomCohort.generate(41, 40);
        Map<String, List<SpecificRecord>> byPatient = new TreeMap<>();
        org.spineoutcomes.validation.EventValidator validator = new org.spineoutcomes.validation.EventValidator();
        for (SpecificRecord e : cohort.interleaving(42)) {
            if (!validator.isValid(e, OrderIndependenceTest.WALL_CLOCK)) continue; // the stream dead-letters these
            byPatient.computeIfAbsent(org.spineoutcomes.events.EventFields.patientId(e), k -> new ArrayList<>()).add(e);
        }
        BatchComputation all = new BatchComputation();
        Map<String, AdjustedDeltaBatch> folded = new TreeMap<>();
        Map<String, AdjustedDeltaBatch> foldedDirectly = new TreeMap<>();
        for (List<SpecificRecord> events : byPatient.values()) {
            BatchComputation half = new BatchComputation();
            events.subList(0, events.size() / 2).forEach(half::add);
            events.forEach(all::add);
            BatchComputation whole = new BatchComputation();
            events.forEach(whole::add);
            PatientOutcome mid = half.result(null).outcomes().values().stream().findFirst().orElse(null);
            PatientOutcome last = whole.result(null).outcomes().values().stream().findFirst().orElse(null);
            AdjustedDeltaBatch.between(null, mid).forEach((p, b) -> folded.merge(p, b, AdjustedDeltaBatch::merge));
            AdjustedDeltaBatch.between(mid, last).forEach((p, b) -> folded.merge(p, b, AdjustedDeltaBatch::merge));
            // As the patient step folds them: straight into one batch per population, no batch per patient.
            AdjustedDeltaBatch.addBetween(null, mid, p -> foldedDirectly.computeIfAbsent(p, k -> new AdjustedDeltaBatch()));
            AdjustedDeltaBatch.addBetween(mid, last, p -> foldedDirectly.computeIfAbsent(p, k -> new AdjustedDeltaBatch()));
        }
        assertEquals(folded, foldedDirectly);
        BatchComputation.Part expected = all.part();
        Map<CellKey, PatternStatistics> patterns = new TreeMap<>();
        Map<CellKey, SurvivalCounts> survival = new TreeMap<>();
        folded.values().forEach(b -> {
            AdjustedDeltaBatch copy = AdjustedDeltaBatch.fromBytes(b.toBytes());
            assertEquals(b, copy);
            assertArrayEquals(b.toBytes(), copy.toBytes());
            patterns.putAll(copy.standardisation());
            survival.putAll(copy.survival());
        });
        assertFalse(patterns.isEmpty());
        assertEquals(expected.patternCells(), patterns);
        assertEquals(expected.survivalCells(), survival);
    }

    @Test
    void bytesFromAnotherFormat_areRefused() {
        byte[] bytes = new AdjustedDeltaBatch().toBytes();
        bytes[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> AdjustedDeltaBatch.fromBytes(bytes));
    }
}
