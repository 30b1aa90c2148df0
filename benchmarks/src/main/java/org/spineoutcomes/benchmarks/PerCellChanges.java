package org.spineoutcomes.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.topology.CellDelta;
import org.spineoutcomes.topology.CellDeltaBatch;
import org.spineoutcomes.topology.PatientCellChanges;

/**
 * A patient's cell changes as the patient step computed them until session 17, kept as the benchmark's baseline:
 * both outcomes spread over all their cells, every cell's contribution compared, each distinct change netted once
 * and its cells of one population/window gathered into one set. Same result as {@link PatientCellChanges}.
 */
final class PerCellChanges {
    private PerCellChanges() {}

    static List<PatientCellChanges.Change> between(PatientOutcome before, PatientOutcome after) {
        Map<CellKey, Contribution> was = before == null ? Map.of() : CellContributions.of(before);
        Map<CellKey, Contribution> now = after == null ? Map.of() : CellContributions.of(after);
        Map<CellKey, CellDelta> deltas = new TreeMap<>();
        now.forEach((cell, c) -> {
            if (!Objects.equals(was.get(cell), c)) deltas.put(cell, new CellDelta(was.get(cell), c));
        });
        was.forEach((cell, c) -> {
            if (!now.containsKey(cell)) deltas.put(cell, new CellDelta(c, null));
        });
        List<CellDelta> nettedPairs = new ArrayList<>();
        List<CellStatistics> nets = new ArrayList<>();
        Map<String, Map<CellStatistics, List<CellKey>>> byGroup = new TreeMap<>();
        deltas.forEach((cell, delta) -> {
            CellStatistics net = null;
            for (int i = 0; i < nettedPairs.size() && net == null; i++) {
                if (nettedPairs.get(i).before() == delta.before() && nettedPairs.get(i).after() == delta.after()) net = nets.get(i);
            }
            if (net == null) {
                net = CellDeltaBatch.netOf(delta);
                nettedPairs.add(delta);
                nets.add(net);
            }
            byGroup.computeIfAbsent(CellDeltaBatch.groupKey(cell), g -> new java.util.IdentityHashMap<>())
                    .computeIfAbsent(net, n -> new ArrayList<>()).add(cell);
        });
        List<PatientCellChanges.Change> changes = new ArrayList<>();
        byGroup.forEach((group, sets) -> sets.forEach((net, cells) ->
                changes.add(new PatientCellChanges.Change(group, new CellDeltaBatch.CellSet(cells), net))));
        return changes;
    }
}
