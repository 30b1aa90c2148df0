package org.spineoutcomes.events;

import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/** The three input event types: the NDJSON "type" value and the topic (hence the Avro class) of each. */
public enum EventType {
    PROCEDURE("procedure", Topics.PROCEDURES, ProcedureEvent.getClassSchema()),
    IMAGING("imaging", Topics.IMAGING, ImagingEvent.getClassSchema()),
    FOLLOWUP("followup", Topics.FOLLOWUPS, FollowUpEvent.getClassSchema());

    private static final EventType[] ALL = values();

    private final String jsonName;
    private final SpineTopic<String, ? extends SpecificRecord> topic;
    private final Schema schema;

    EventType(String jsonName, SpineTopic<String, ? extends SpecificRecord> topic, Schema schema) {
        this.jsonName = jsonName;
        this.topic = topic;
        this.schema = schema;
    }

    /** The value of the "type" field in NDJSON. */
    public String jsonName() { return jsonName; }

    public SpineTopic<String, ? extends SpecificRecord> topic() { return topic; }

    public Class<? extends SpecificRecord> avroClass() { return topic.valueType(); }

    public Schema schema() { return schema; }

    public static Optional<EventType> fromJsonName(String name) {
        for (EventType t : ALL) {
            if (t.jsonName.equals(name)) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** The type of an event record; IllegalArgumentException for any other record. */
    public static EventType of(SpecificRecord event) {
        for (EventType t : ALL) {
            if (t.avroClass().isInstance(event)) return t;
        }
        throw new IllegalArgumentException("Not an input event: "
                + (event == null ? "null" : event.getClass().getName()));
    }

    /** The type whose topic has this name, if any. */
    public static Optional<EventType> ofTopic(String topicName) {
        // asked once per input record: a loop over one shared array, not a stream over a fresh copy of values()
        for (EventType t : ALL) {
            if (t.topic.name().equals(topicName)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
