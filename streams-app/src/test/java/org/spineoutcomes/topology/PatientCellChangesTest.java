package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;
import org.spineoutcomes.testing.RandomCohort;

class PatientCellChangesTest {

    private static PatientOutcome outcome(SpecificRecord... events) {
        PatientEventLog log = new PatientEventLog();
        for (SpecificRecord e : events) log.add(e, PatientEventLog.Origin.UNKNOWN);
        return OutcomeEngine.compute(DEFAULT_PATIENT, log.resolved());
    }

    private static List<String> cellTexts(PatientCellChanges.Change c) {
        List<String> texts = new ArrayList<>();
        for (String s : c.cells().toString().replaceAll("[\\[\\] ]", "").split(",")) texts.add(s);
        return texts;
    }

    /**
     * A 78-year-old woman (fracture 20 days old) treated with vertebroplasty, baseline pain 8, pain 5 at one month;
     * then pain 3 at three months arrives. Only the M3 window changes: one change for her five ITT cells of M3 and
     * one for her five as-treated cells (strata ALL, FRACTURE_AGE_LE_6W, BASELINE_PAIN_GE_8, AGE_75_84, SEX_F), each
     * adding one pain value of 3 and one pain relief of 8 - 3 = 5.
     */
    @Test
    void aFollowUpChangesOnlyItsWindow_oneChangePerPopulation_forAllItsStrata() {
        PatientOutcome before = outcome(vertebroplasty("p1", INDEX), nrs("b", day(-2), 8), nrs("m1", day(30), 5));
        PatientOutcome after = outcome(vertebroplasty("p1", INDEX), nrs("b", day(-2), 8), nrs("m1", day(30), 5), nrs("m3", day(90), 3));

        List<PatientCellChanges.Change> changes = PatientCellChanges.between(before, after);

        assertEquals(List.of("ITT/M3", "AS_TREATED/M3"), changes.stream().map(PatientCellChanges.Change::group).toList());
        for (PatientCellChanges.Change c : changes) {
            String prefix = c.group().replace("/M3", "") + "/VERTEBROPLASTY/M3/";
            assertEquals(List.of(prefix + "AGE_75_84", prefix + "ALL", prefix + "BASELINE_PAIN_GE_8", prefix + "FRACTURE_AGE_LE_6W",
                    prefix + "SEX_F"), cellTexts(c));
            assertEquals(0, c.net().patients(), "the patient was counted in M3 already (completeness): no new patient");
            assertEquals(1, c.net().moments().get(Measures.PAIN).n());
            assertEquals(0, new BigDecimal("3").compareTo(c.net().moments().get(Measures.PAIN).sum()));
            assertEquals(0, new BigDecimal("5").compareTo(c.net().moments().get(Measures.PAIN_RELIEF).sum()));
        }
        assertTrue(changes.get(0).net() == changes.get(1).net(), "netted once for both populations");
        assertEquals(List.of(), PatientCellChanges.between(after, after));
    }

    /** Every cell compared on its own, the way the patient step did until session 17: the reference. */
    private static CellDeltaBatch perCell(PatientOutcome before, PatientOutcome after) {
        Map<CellKey, Contribution> was = before == null ? Map.of() : CellContributions.of(before);
        Map<CellKey, Contribution> now = after == null ? Map.of() : CellContributions.of(after);
        Set<CellKey> cells = new TreeSet<>(was.keySet());
        cells.addAll(now.keySet());
        CellDeltaBatch batch = new CellDeltaBatch();
        for (CellKey cell : cells) {
            if (!Objects.equals(was.get(cell), now.get(cell))) batch.add(cell, new CellDelta(was.get(cell), now.get(cell)));
        }
        return batch;
    }

    /**
     * On a random cohort with re-sends, corrections, retractions, crossovers and strata that move: every patient's
     * outcome after each of its events (in generation order), and each change from the previous one (from none for
     * the first), folded as the patient step folds it, equals the per-cell reference exactly; no cell is in two
     * changes and every cell is in its change's population/window.
     */
    @Test
    void everyChangeOfARandomCohort_equalsComparingEveryCell() {
        RandomCohort.Cohort cohort = RandomCohort.generate(20261202L, 300);
        Map<String, List<SpecificRecord>> byPatient = new LinkedHashMap<>();
        for (SpecificRecord e : cohort.events()) byPatient.computeIfAbsent(EventFields.patientId(e), k -> new ArrayList<>()).add(e);
        int compared = 0, armOrStrataMoved = 0, changed = 0;
        for (Map.Entry<String, List<SpecificRecord>> p : byPatient.entrySet()) {
            PatientEventLog log = new PatientEventLog();
            PatientOutcome previous = null;
            for (SpecificRecord e : p.getValue()) {
                log.add(e, PatientEventLog.Origin.UNKNOWN);
                PatientOutcome next = OutcomeEngine.compute(p.getKey(), log.resolved());
                assertSameFold(previous, next, p.getKey());
                if (previous != null && (!Objects.equals(previous.getIttArm(), next.getIttArm()) || !previous.getStrata().equals(next.getStrata()))) {
                    armOrStrataMoved++;
                }
                if (!PatientCellChanges.between(previous, next).isEmpty()) changed++;
                compared++;
                previous = next;
            }
            assertSameFold(previous, null, p.getKey()); // the patient leaving every cell
        }
        assertTrue(compared > 1_000, "changes compared: " + compared);
        assertTrue(armOrStrataMoved > 20, "changes that move the ITT arm or the strata: " + armOrStrataMoved);
        assertTrue(changed > 500, "changes with cell changes: " + changed);
    }

    private static void assertSameFold(PatientOutcome before, PatientOutcome after, String patient) {
        List<PatientCellChanges.Change> changes = PatientCellChanges.between(before, after);
        CellDeltaBatch folded = new CellDeltaBatch();
        Set<String> seen = new HashSet<>();
        for (PatientCellChanges.Change c : changes) {
            folded.add(c.cells(), c.net());
            for (String cell : cellTexts(c)) {
                assertTrue(seen.add(cell), patient + ": cell " + cell + " in two changes");
                CellKey key = CellKey.parse(cell);
                assertEquals(c.group(), key.population() + "/" + key.window(), patient + ": cell outside its group");
            }
        }
        assertArrayEquals(perCell(before, after).toBytes(), folded.toBytes(), patient);
    }

    @Test
    void fromNoneAndToNone_addAndRemoveEveryCell() {
        PatientOutcome o = outcome(vertebroplasty("p1", INDEX), nrs("b", day(-2), 8));
        CellDeltaBatch in = new CellDeltaBatch();
        PatientCellChanges.between(null, o).forEach(c -> in.add(c.cells(), c.net()));
        CellDeltaBatch out = new CellDeltaBatch();
        PatientCellChanges.between(o, null).forEach(c -> out.add(c.cells(), c.net()));
        Map<CellKey, CellStatistics> added = in.cells();
        // 10 windows (BASELINE, D1, W1, M1, M3, M6, M12, M24, POST, OVERALL) x 2 populations (ITT, AS_TREATED)
        // x 5 strata (ALL, FRACTURE_AGE_LE_6W, BASELINE_PAIN_GE_8, AGE_75_84, SEX_F) = 100 cells, one patient each.
        assertEquals(100, added.size());
        added.forEach((cell, s) -> assertEquals(1, s.patients(), cell.asText()));
        out.cells().forEach((cell, s) -> assertEquals(-1, s.patients(), cell.asText()));
        assertEquals(List.of(), PatientCellChanges.between(null, null));
        // One netted change per window and population, for all five strata at once.
        List<PatientCellChanges.Change> entering = PatientCellChanges.between(null, o);
        assertEquals(20, entering.size());
        entering.forEach(c -> assertEquals(5, cellTexts(c).size(), c.group()));
    }
}
