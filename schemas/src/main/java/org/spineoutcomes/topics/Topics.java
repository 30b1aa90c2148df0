package org.spineoutcomes.topics;

import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.TimeToEvent;

/**
 * Every topic of the contract, defined once (docs/architecture.md, topic table), with its key and
 * value types and serdes. The local stack creates them from this list; the producers, the streams
 * app and the tests take their names and serdes from here.
 * All keyed topics are keyed by the patient pseudonym (inputs, outcomes) or by the record key
 * of the cell or comparison (aggregates, comparisons, adjusted comparisons, time to event). Inputs share one partition count so they are co-partitioned.
 */
public final class Topics {
    private Topics() {}

    public static final int INPUT_PARTITIONS = 3;

    private static final String LONG_RETENTION_MS = String.valueOf(10L * 365 * 24 * 3600 * 1000); // 10 years
    private static final String RETENTION_MS = String.valueOf(2L * 365 * 24 * 3600 * 1000);       // 2 years

    public static final SpineTopic<String, ProcedureEvent> PROCEDURES = SpineTopic.avroValues("spine.procedures.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", LONG_RETENTION_MS),
            ProcedureEvent.class, "Treatment events (procedures and conservative-care starts)");
    public static final SpineTopic<String, ImagingEvent> IMAGING = SpineTopic.avroValues("spine.imaging.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS),
            ImagingEvent.class, "Imaging studies with per-level heights and angles");
    public static final SpineTopic<String, FollowUpEvent> FOLLOWUPS = SpineTopic.avroValues("spine.followups.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS),
            FollowUpEvent.class, "Follow-ups: pain, disability, complications, medication");
    public static final SpineTopic<String, PatientOutcome> PATIENT_OUTCOMES = SpineTopic.avroValues("spine.patient-outcomes.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            PatientOutcome.class, "Per-patient outcome, re-emitted whenever it changes");
    public static final SpineTopic<String, ArmAggregate> ARM_AGGREGATES = SpineTopic.avroValues("spine.arm-aggregates.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            ArmAggregate.class, "Per cell population/arm/window/stratum: sufficient statistics and derived values");
    public static final SpineTopic<String, ArmComparison> ARM_COMPARISONS = SpineTopic.avroValues("spine.arm-comparisons.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            ArmComparison.class, "Between-arm differences with confidence intervals");
    public static final SpineTopic<String, AdjustedComparison> ADJUSTED_COMPARISONS = SpineTopic.avroValues("spine.adjusted-comparisons.v1",
            INPUT_PARTITIONS, Map.of("cleanup.policy", "compact"),
            AdjustedComparison.class, "Per population/comparison/window/measure: difference standardised over covariate patterns (R36) next to the crude Welch difference");
    public static final SpineTopic<String, TimeToEvent> TIME_TO_EVENT = SpineTopic.avroValues("spine.time-to-event.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "compact"),
            TimeToEvent.class, "Time to first new vertebral fracture: Kaplan-Meier per population/arm/stratum (R37), log-rank per population/comparison/stratum (R38)");
    /**
     * Largest record the dead-letter topic takes (8 MiB): an input record that itself fills the broker's
     * default 1 MB limit still fits as a dead letter, with its headers; a larger one is cut (see
     * {@link RejectionHeaders#VALUE_TRUNCATED}).
     */
    public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /** The part of a dead letter's key kept when the original is larger (an input key is at most about 1 MB anyway). */
    public static final int DEAD_LETTER_MAX_KEY_BYTES = 1024 * 1024;
    /** The part of a dead letter's value kept when the original is larger (room left for the key and the headers). */
    public static final int DEAD_LETTER_MAX_VALUE_BYTES = DEAD_LETTER_MAX_MESSAGE_BYTES - DEAD_LETTER_MAX_KEY_BYTES - 512 * 1024;

    public static final SpineTopic<byte[], byte[]> REJECTED = SpineTopic.plain("spine.rejected.v1", INPUT_PARTITIONS,
            Map.of("cleanup.policy", "delete", "retention.ms", RETENTION_MS, "max.message.bytes", String.valueOf(DEAD_LETTER_MAX_MESSAGE_BYTES)),
            byte[].class, byte[].class, "Dead letters: original key/value bytes, headers with reason code, source topic/partition/offset, message");

    /**
     * The data cut (R2): per input partition, the largest occurred-at (epoch ms, long, big-endian)
     * among valid events; the cut is the max over keys. Written by the streams app, read by every
     * instance through a global store. Single partition, compacted.
     */
    public static final SpineTopic<String, Long> DATA_CUT = SpineTopic.plain("spine.data-cut.v1", 1,
            Map.of("cleanup.policy", "compact"),
            String.class, Long.class, "Data cut: per input partition (key) the largest occurred-at of valid events (long epoch ms)");

    public static final List<SpineTopic<String, ? extends SpecificRecord>> INPUTS = List.of(PROCEDURES, IMAGING, FOLLOWUPS);
    public static final List<SpineTopic<?, ?>> ALL = List.of(PROCEDURES, IMAGING, FOLLOWUPS,
            PATIENT_OUTCOMES, ARM_AGGREGATES, ARM_COMPARISONS, ADJUSTED_COMPARISONS, TIME_TO_EVENT, REJECTED, DATA_CUT);

    /** The registry subjects of the contract's Avro values ({@code <topic>-value}), in {@link #ALL} order. */
    public static List<String> valueSubjects() {
        return ALL.stream().flatMap(t -> t.valueSubject().stream()).toList();
    }

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
        /** "true" when the value (or key) is only the first part of the original, which was over the topic's limit. */
        public static final String VALUE_TRUNCATED = "spine.value.truncated";
        public static final String KEY_TRUNCATED = "spine.key.truncated";
        /** Size in bytes of the original value and its SHA-256 (hex), on a cut dead letter. */
        public static final String VALUE_ORIGINAL_SIZE = "spine.value.original.size";
        public static final String VALUE_SHA256 = "spine.value.sha256";
        /**
         * On a PROCESSING_ERROR dead letter that is not an input record: the step that failed
         * ({@code cell-merge}, {@code cell-publication}, {@code patient-recompute}, {@code serialization},
         * or {@code unexpected} for any other node, whose name follows after a colon).
         */
        public static final String STAGE = "spine.stage";
    }
}
