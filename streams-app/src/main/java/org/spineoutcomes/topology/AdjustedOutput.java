package org.spineoutcomes.topology;

import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.TimeToEvent;

/** What the adjusted-cell step publishes; the topology splits by type to the two sinks. Never serialised. */
public sealed interface AdjustedOutput {
    /** A standardised comparison (R36) to publish; null = it no longer exists (tombstone, R30). */
    record AdjustedComparisonChanged(AdjustedComparison comparison) implements AdjustedOutput {}

    /** A Kaplan-Meier (R37) or log-rank (R38) record to publish; null = it no longer exists (tombstone). */
    record TimeToEventChanged(TimeToEvent record) implements AdjustedOutput {}
}
