package org.spineoutcomes.topics;

import java.util.List;
import java.util.Map;

/**
 * Every topic of the contract, defined once (docs/architecture.md, topic table). The local stack creates them
 * from this list; the producers and the streams app take their names from here.
 * All keyed topics are keyed by the patient pseudonym (inputs, outcomes) or by the cell key
 * (aggregates, comparisons). Inputs share one partition count so they are co-partitioned.
 */
public final class Topics {
    private Topics() {}

    public static final int INPUT_PARTITIONS = 3;

    private static final String LONG_RETENTION_MS = String.valueOf(10L * 365 * 24 * 3600 * 1000); // 10 years
    private static final String RETENTION_MS = String.valueOf(2L * 365 * 24 * 3600 * 1000);       // 2 years

    public static final TopicSpec PROCEDURES = new TopicSpec("spine.procedures.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", LONG_RETENTION_MS),
            "org.spineoutcomes.schema.ProcedureEvent", "Treatment events (procedures and conservative-care starts)");
    public static final TopicSpec IMAGING = new TopicSpec("spine.imaging.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS),
            "org.spineoutcomes.schema.ImagingEvent", "Imaging studies with per-level heights and angles");
    public static final TopicSpec FOLLOWUPS = new TopicSpec("spine.followups.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS),
            "org.spineoutcomes.schema.FollowUpEvent", "Follow-ups: pain, disability, complications, medication");
    public static final TopicSpec PATIENT_OUTCOMES = new TopicSpec("spine.patient-outcomes.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            "org.spineoutcomes.schema.PatientOutcome", "Per-patient outcome, re-emitted whenever it changes");
    public static final TopicSpec ARM_AGGREGATES = new TopicSpec("spine.arm-aggregates.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            "org.spineoutcomes.schema.ArmAggregate", "Per cell population/arm/window/stratum: sufficient statistics and derived values");
    public static final TopicSpec ARM_COMPARISONS = new TopicSpec("spine.arm-comparisons.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            "org.spineoutcomes.schema.ArmComparison", "Between-arm differences with confidence intervals");
    public static final TopicSpec REJECTED = new TopicSpec("spine.rejected.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS),
            null, "Dead letters: original key/value bytes, headers with reason code, source topic/partition/offset, message");

    /**
     * The data cut (R2): per input partition, the largest occurred-at (epoch ms, long, big-endian)
     * among valid events; the cut is the max over keys. Written by the streams app, read by every
     * instance through a global store. Single partition, compacted.
     */
    public static final TopicSpec DATA_CUT = new TopicSpec("spine.data-cut.v1", 1,
            Map.of("cleanup.policy", "compact"),
            null, "Data cut: per input partition (key) the largest occurred-at of valid events (long epoch ms)");

    public static final List<TopicSpec> INPUTS = List.of(PROCEDURES, IMAGING, FOLLOWUPS);
    public static final List<TopicSpec> ALL = List.of(PROCEDURES, IMAGING, FOLLOWUPS,
            PATIENT_OUTCOMES, ARM_AGGREGATES, ARM_COMPARISONS, REJECTED, DATA_CUT);

    /** Headers on every record of {@link #REJECTED}. */
    public static final class RejectionHeaders {
        private RejectionHeaders() {}
        public static final String REASON = "spine.reason";
        public static final String MESSAGE = "spine.message";
        public static final String SOURCE_TOPIC = "spine.source.topic";
        public static final String SOURCE_PARTITION = "spine.source.partition";
        public static final String SOURCE_OFFSET = "spine.source.offset";
        public static final String FIELD = "spine.field";
        /** "true" when the value is the event re-encoded from state, not the original bytes (an R9 loser accepted earlier). */
        public static final String VALUE_REENCODED = "spine.value.reencoded";
    }
}
