package org.spineoutcomes.topology;

import org.spineoutcomes.stats.Contribution;

/** One patient's change to one cell: subtract {@code before} (if any), add {@code after} (if any). */
public record CellDelta(Contribution before, Contribution after) {
}
