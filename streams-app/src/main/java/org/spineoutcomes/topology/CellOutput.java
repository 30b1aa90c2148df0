package org.spineoutcomes.topology;

import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;

/** What the cell step publishes; the topology splits by type to the two sinks. Never serialised. */
public sealed interface CellOutput {
    /** A cell's aggregate to publish; null aggregate = the cell lost its last patient (tombstone, R30). */
    record AggregateChanged(ArmAggregate aggregate) implements CellOutput {}

    /** A comparison to publish; null = one of its two cells no longer exists (tombstone). */
    record ComparisonChanged(ArmComparison comparison) implements CellOutput {}

    /** A cell's merge or a publication failed unexpectedly: a PROCESSING_ERROR dead letter (the cell step went on). */
    record Failed(org.spineoutcomes.ingest.DeadLetter deadLetter) implements CellOutput {}
}
