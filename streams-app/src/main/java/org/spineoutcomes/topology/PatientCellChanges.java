package org.spineoutcomes.topology;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;

/**
 * What one patient's outcome change does to the aggregate cells (R29-R33): for every cell whose contribution
 * changed, the old contribution out and the new one in, as exact sums. Cells of one population/window that
 * receive the same change (a window's strata, mostly) come as one {@link Change} with one netted sum, so the
 * patient step folds it once per cell set ({@link CellDeltaBatch#add(CellDeltaBatch.CellSet, CellStatistics)}).
 * Plain arithmetic: no Kafka, no state.
 */
public final class PatientCellChanges {
    private PatientCellChanges() {}

    /** One netted change that every cell of {@code cells} (all of population/window {@code group}) receives alike. */
    public record Change(String group, CellDeltaBatch.CellSet cells, CellStatistics net) {}

    /**
     * The changes from {@code before} (null: the patient was in no cell) to {@code after} (null: in none any more),
     * cells ascending within each change; empty when no contribution changed.
     *
     * <p>Compared window by window: a window's contribution goes alike to every stratum in the ITT arm and in the
     * window's as-treated arm, so when those cells are the same before and after (the usual case: a follow-up
     * changes values, not arms or strata) one comparison and one netted change serve all of them, instead of one
     * comparison per cell (about 90 per patient). A window whose cells differ is compared cell by cell.
     */
    public static List<Change> between(PatientOutcome before, PatientOutcome after) {
        CellContributions.Slots was = before == null ? null : CellContributions.slots(before);
        CellContributions.Slots now = after == null ? null : CellContributions.slots(after);
        if (was == null && now == null) return List.of();
        if (was == null || now == null) return wholly(was == null ? now : was, was == null);
        Map<Window, CellContributions.Slot> wasByWindow = byWindow(was);
        Map<Window, CellContributions.Slot> nowByWindow = byWindow(now);
        boolean sameItt = was.itt() == now.itt() && was.strata().equals(now.strata());
        List<String> strata = sameItt ? sortedNames(now.strata()) : null;
        List<Change> changes = new ArrayList<>();
        for (Window w : Window.values()) {
            CellContributions.Slot x = wasByWindow.get(w);
            CellContributions.Slot y = nowByWindow.get(w);
            if (x == null && y == null) continue;
            if (sameItt && x != null && y != null && x.asTreated() == y.asTreated()) {
                // Most windows are untouched by an update: equal inputs, so neither contribution is computed.
                if (x.sameInputsAs(y) || x.contribution().equals(y.contribution())) continue;
                alike(now.itt(), y.asTreated(), w, strata, CellDeltaBatch.netOf(new CellDelta(x.contribution(), y.contribution())), changes);
            } else {
                cellByCell(cells(was, x), cells(now, y), changes);
            }
        }
        return changes;
    }

    /**
     * A patient entering the cells (its first treatment: {@code in}) or leaving them all: each window's contribution
     * goes in or out alike for every stratum in the ITT arm and in the window's as-treated arm, so each window is one
     * netted change for its two cell sets, without comparing cell by cell. A replay in recorded order computes each
     * patient once this way (its first outcome with a treatment), about one computation in six.
     */
    private static List<Change> wholly(CellContributions.Slots slots, boolean in) {
        List<String> strata = sortedNames(slots.strata());
        List<Change> changes = new ArrayList<>(2 * slots.windows().size());
        for (CellContributions.Slot slot : slots.windows()) {
            Contribution c = slot.contribution();
            alike(slots.itt(), slot.asTreated(), slot.window(), strata,
                    CellDeltaBatch.netOf(in ? new CellDelta(null, c) : new CellDelta(c, null)), changes);
        }
        return changes;
    }

    /** One window's netted change for all its strata in the ITT arm and in the window's as-treated arm. */
    private static void alike(TreatmentArm itt, TreatmentArm asTreated, Window w, List<String> sortedStrata, CellStatistics net,
                              List<Change> into) {
        into.add(new Change(group(Population.ITT, w), cellSet(Population.ITT, itt, w, sortedStrata), net));
        into.add(new Change(group(Population.AS_TREATED, w), cellSet(Population.AS_TREATED, asTreated, w, sortedStrata), net));
    }

    private static Map<Window, CellContributions.Slot> byWindow(CellContributions.Slots slots) {
        Map<Window, CellContributions.Slot> byWindow = new EnumMap<>(Window.class);
        if (slots == null) return byWindow;
        for (CellContributions.Slot s : slots.windows()) {
            if (byWindow.put(s.window(), s) != null) throw new IllegalStateException("window " + s.window() + " twice in an outcome");
        }
        return byWindow;
    }

    private static String group(Population population, Window window) {
        return population.name() + "/" + window.name();
    }

    private static List<String> sortedNames(List<Stratum> strata) {
        List<String> names = new ArrayList<>(strata.size());
        for (Stratum s : strata) names.add(s.name());
        names.sort(null);
        return names;
    }

    private static CellDeltaBatch.CellSet cellSet(Population population, TreatmentArm arm, Window window, List<String> sortedStrata) {
        List<CellKey> cells = new ArrayList<>(sortedStrata.size());
        for (String s : sortedStrata) cells.add(new CellKey(population.name(), arm.name(), window.name(), s));
        return new CellDeltaBatch.CellSet(cells);
    }

    /** The cells of one window of a patient and what each gets (empty when the patient has no such window). */
    private static Map<CellKey, Contribution> cells(CellContributions.Slots slots, CellContributions.Slot slot) {
        Map<CellKey, Contribution> cells = new TreeMap<>();
        if (slot != null) CellContributions.spread(slots, slot, cells);
        return cells;
    }

    /** The general case, for one window: every cell compared, cells with the same change and group in one set. */
    private static void cellByCell(Map<CellKey, Contribution> oldCells, Map<CellKey, Contribution> newCells, List<Change> into) {
        Map<CellKey, CellDelta> deltas = new TreeMap<>();
        for (Map.Entry<CellKey, Contribution> e : newCells.entrySet()) {
            Contribution was = oldCells.get(e.getKey());
            if (!Objects.equals(was, e.getValue())) deltas.put(e.getKey(), new CellDelta(was, e.getValue()));
        }
        for (Map.Entry<CellKey, Contribution> e : oldCells.entrySet()) {
            if (!newCells.containsKey(e.getKey())) deltas.put(e.getKey(), new CellDelta(e.getValue(), null));
        }
        List<Netted> netted = new ArrayList<>(2);
        List<Shared> shared = new ArrayList<>(4);
        deltas.forEach((cell, delta) -> {
            String group = CellDeltaBatch.groupKey(cell);
            CellStatistics net = netted(netted, delta);
            Shared target = null;
            for (Shared c : shared) {
                if (c.net() == net && c.group().equals(group)) {
                    target = c;
                    break;
                }
            }
            if (target == null) shared.add(target = new Shared(group, net, new ArrayList<>(6)));
            target.cells().add(cell); // ascending: deltas is sorted by cell
        });
        for (Shared s : shared) into.add(new Change(s.group(), new CellDeltaBatch.CellSet(s.cells()), s.net()));
    }

    private record Shared(String group, CellStatistics net, List<CellKey> cells) {}

    /** A change netted once per distinct (old, new) contribution pair: the cells of a window share their objects. */
    private record Netted(Contribution before, Contribution after, CellStatistics net) {}

    private static CellStatistics netted(List<Netted> known, CellDelta delta) {
        for (Netted n : known) {
            if (n.before() == delta.before() && n.after() == delta.after()) return n.net();
        }
        Netted n = new Netted(delta.before(), delta.after(), CellDeltaBatch.netOf(delta));
        known.add(n);
        return n.net();
    }
}
