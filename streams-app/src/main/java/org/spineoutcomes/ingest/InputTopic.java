package org.spineoutcomes.ingest;

import java.util.Arrays;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.topics.TopicSpec;
import org.spineoutcomes.topics.Topics;

/** The three input topics and the Avro class each carries. */
public enum InputTopic {
    PROCEDURES(Topics.PROCEDURES, ProcedureEvent.class),
    IMAGING(Topics.IMAGING, ImagingEvent.class),
    FOLLOWUPS(Topics.FOLLOWUPS, FollowUpEvent.class);

    private final TopicSpec spec;
    private final Class<? extends SpecificRecord> eventClass;

    InputTopic(TopicSpec spec, Class<? extends SpecificRecord> eventClass) {
        this.spec = spec;
        this.eventClass = eventClass;
    }

    public String topic() { return spec.name(); }

    public Class<? extends SpecificRecord> eventClass() { return eventClass; }

    public static Optional<InputTopic> byTopic(String topic) {
        return Arrays.stream(values()).filter(t -> t.topic().equals(topic)).findFirst();
    }
}
