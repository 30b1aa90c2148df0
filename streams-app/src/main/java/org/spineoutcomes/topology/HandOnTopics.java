package org.spineoutcomes.topology;

import java.util.List;
import java.util.Map;
import org.spineoutcomes.topics.Topics;

/**
 * The topics between the two Kafka Streams applications of a split deployment: the patient stage writes
 * its cell batches (key population/window) and adjusted batches (key population) here, the cell stage
 * reads them. They play the part repartition topics play inside one application, so they are named
 * after the patient stage's application id (its internal-topic prefix, which its ACLs cover), have the
 * input topics' partition count, keep records until the cell stage has committed past them, and are
 * then trimmed by the app ({@code HandOnPurge}), as Kafka Streams trims its repartition topics.
 */
public record HandOnTopics(String cellDeltas, String adjustedDeltas) {

    /** Topic settings: delete (not compact), no time limit; what the cell stage has committed is deleted by the app. */
    public static final Map<String, String> CONFIG = Map.of(
            "cleanup.policy", "delete",
            "retention.ms", "-1",
            "segment.bytes", String.valueOf(50 * 1024 * 1024));

    /** The suffix of the cell stage's application id. */
    public static final String CELL_STAGE_SUFFIX = "-cells";

    public static HandOnTopics forApplication(String applicationId) {
        return new HandOnTopics(applicationId + "-" + SpineTopology.CELL_DELTAS_TOPIC + "-handon",
                applicationId + "-" + SpineTopology.ADJUSTED_DELTAS_TOPIC + "-handon");
    }

    /** The application id of the cell stage that belongs to a patient stage. */
    public static String cellStageApplicationId(String applicationId) {
        return applicationId + CELL_STAGE_SUFFIX;
    }

    public List<String> names() {
        return List.of(cellDeltas, adjustedDeltas);
    }

    /** As many partitions as the input topics: the same count a repartition topic would get. */
    public int partitions() {
        return Topics.INPUT_PARTITIONS;
    }
}
