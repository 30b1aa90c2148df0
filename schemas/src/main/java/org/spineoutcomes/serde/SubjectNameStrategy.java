package org.spineoutcomes.serde;

import org.apache.avro.Schema;

/** How a topic and a record schema map to a registry subject; the same rules as Confluent's strategies. */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic (the default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name, e.g. {@code org.spineoutcomes.schema.ProcedureEvent}: one lineage per type across topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}: several types per topic, each with its own lineage. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String confluentSimpleName;

    SubjectNameStrategy(String confluentSimpleName) {
        this.confluentSimpleName = confluentSimpleName;
    }

    /** Confluent's class name for the same rule, e.g. {@code io.confluent.kafka.serializers.subject.TopicNameStrategy}. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + confluentSimpleName;
    }

    public String subjectName(String topic, boolean isKey, Schema schema) {
        switch (this) {
            case TOPIC_NAME:
                requireTopic(topic);
                return topic + (isKey ? "-key" : "-value");
            case RECORD_NAME:
                return recordName(schema);
            case TOPIC_RECORD_NAME:
                requireTopic(topic);
                return topic + "-" + recordName(schema);
            default:
                throw new AssertionError(this);
        }
    }

    private static void requireTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic is required to build a subject name, got " + (topic == null ? "null" : "an empty string"));
        }
    }

    private String recordName(Schema schema) {
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(this + " needs a record schema, got " + (schema == null ? "null" : schema.getType()));
        }
        return schema.getFullName();
    }

    /**
     * Parses {@code TOPIC_NAME}, {@code topic_name}, {@code TopicNameStrategy}, {@code topic} or
     * Confluent's fully qualified class name.
     */
    public static SubjectNameStrategy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("subject name strategy is blank");
        }
        String trimmed = text.trim();
        String simple = trimmed.substring(trimmed.lastIndexOf('.') + 1);
        for (SubjectNameStrategy strategy : values()) {
            String shortName = strategy.name().substring(0, strategy.name().length() - "_NAME".length()).replace("_", "");
            if (strategy.name().equalsIgnoreCase(trimmed)
                    || strategy.confluentSimpleName.equals(simple)
                    || shortName.equalsIgnoreCase(trimmed.replace("_", "").replace("-", ""))) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + text + "'; expected one of TOPIC_NAME, RECORD_NAME, TOPIC_RECORD_NAME"
                + " or Confluent's " + CONFLUENT_PACKAGE + "{TopicNameStrategy,RecordNameStrategy,TopicRecordNameStrategy}");
    }
}
