package org.spineoutcomes.topics;

import java.util.Map;

/**
 * A topic of the contract: its name, partition count and broker-side configuration.
 * {@code valueSchema} names the Avro record carried as value (null for the dead-letter topic,
 * which carries the original bytes).
 */
public record TopicSpec(String name, int partitions, Map<String, String> config, String valueSchema, String description) {
}
