package org.spineoutcomes.topology;

import java.util.Map;
import org.spineoutcomes.stats.CellKey;

/**
 * All of one patient's cell changes within one population/window (every arm and stratum), sent as
 * one record keyed {@code population/window}. Keeping a population/window's cells together in one
 * task lets the comparisons be computed next to the cells, and sends one record instead of one per
 * stratum cell.
 */
public record CellDeltas(Map<CellKey, CellDelta> cells) {

    /** The repartition key: population/window. */
    public static String groupKey(CellKey cell) {
        return cell.population() + "/" + cell.window();
    }
}
