package org.spineoutcomes.topology;

import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.IngestedEvent;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * What the ingest and patient processors hand on; the topology splits by type to the right sink
 * or to the next stage. Only forwarded in-process, never serialised.
 */
public sealed interface Routed {
    /** A decoded, field-valid event, keyed by patient. */
    record Accepted(IngestedEvent event) implements Routed {}

    /** A record for spine.rejected.v1. */
    record Rejected(DeadLetter deadLetter) implements Routed {}

    /** A patient's outcome changed (key: patient pseudonym). */
    record OutcomeChanged(PatientOutcome outcome) implements Routed {}

    /** A patient's contributions to cells of one population/window changed (key: population/window). */
    record CellChanged(CellDeltas deltas) implements Routed {}

    /** A cell's aggregate to publish; null aggregate = the cell lost its last patient (tombstone, R30). */
    record AggregateChanged(org.spineoutcomes.schema.ArmAggregate aggregate) implements Routed {}

    /** A comparison to publish; null = one of its two cells no longer exists (tombstone). */
    record ComparisonChanged(org.spineoutcomes.schema.ArmComparison comparison) implements Routed {}

    /** The largest occurred-at seen by one input partition grew (key: partition number). */
    record DataCutAdvanced(long maxOccurredAtMs) implements Routed {}
}
