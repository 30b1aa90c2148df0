package org.spineoutcomes.topology;

import org.spineoutcomes.stats.Contribution;

/**
 * One patient's change to one cell: subtract {@code before} (if any), add {@code after} (if any).
 * Travels on the cell-deltas repartition topic, keyed by the cell key text.
 */
public record CellDelta(Contribution before, Contribution after) {
}
