package org.spineoutcomes.ingest;

/**
 * Where an unexpected failure outside the input records happened; written as the {@code spine.stage}
 * header of its PROCESSING_ERROR dead letter and as the {@code stage} tag of the processing-errors counter.
 */
public enum FailureStage {
    /** Merging one cell's net change into its statistics (the change is dead-lettered, the cell left as it was). */
    CELL_MERGE("cell-merge"),
    /** Computing one aggregate or comparison to publish (not published; due again at its next change). */
    CELL_PUBLICATION("cell-publication"),
    /**
     * Computing a patient's outcome over events logged before a restart, when no single record can be
     * blamed (the patient keeps its last outcome until its next event).
     */
    PATIENT_COMPUTE("patient-compute"),
    /** Recomputing one stored patient under new rules (left at its old rules version). */
    PATIENT_RECOMPUTE("patient-recompute"),
    /** Serialising an output record (it is not written). */
    SERIALIZATION("serialization"),
    /** Any other node of the topology (its name follows in the header). */
    UNEXPECTED("unexpected");

    private final String label;

    FailureStage(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
