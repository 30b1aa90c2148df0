package org.spineoutcomes.topology;

import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * What the patient step hands on; the topology splits by type to the right sink or to the cell
 * step. Only forwarded in-process, never serialised.
 */
public sealed interface PatientOutput {
    /** A patient's outcome changed (key: patient pseudonym), with its single-object encoding (the state's). */
    record OutcomeChanged(PatientOutcome outcome, byte[] singleObject) implements PatientOutput {}

    /** The net change of cells of one population/window (key: population/window). */
    record CellChanged(CellDeltaBatch batch) implements PatientOutput {}

    /**
     * The net change of one population's standardisation and Kaplan-Meier cells (R36, R37) by one
     * patient whose outcome changed (key: population).
     */
    record AdjustedChanged(AdjustedDeltaBatch batch) implements PatientOutput {}

    /** The largest occurred-at seen by one input partition grew (key: partition number). */
    record DataCutAdvanced(long maxOccurredAtMs) implements PatientOutput {}

    /** A record for spine.rejected.v1 (a per-patient rule rejected it, or processing failed). */
    record Rejected(DeadLetter deadLetter) implements PatientOutput {}
}
