package org.spineoutcomes.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.PatientOutcome;

class EventTypeTest {

    @Test
    void eachTypeIsFoundByItsTopicAndByItsJsonName() {
        assertEquals(EventType.PROCEDURE, EventType.ofTopic("spine.procedures.v1").orElseThrow());
        assertEquals(EventType.IMAGING, EventType.ofTopic("spine.imaging.v1").orElseThrow());
        assertEquals(EventType.FOLLOWUP, EventType.ofTopic("spine.followups.v1").orElseThrow());
        assertEquals(EventType.PROCEDURE, EventType.fromJsonName("procedure").orElseThrow());
        assertEquals(EventType.IMAGING, EventType.fromJsonName("imaging").orElseThrow());
        assertEquals(EventType.FOLLOWUP, EventType.fromJsonName("followup").orElseThrow());
    }

    @Test
    void otherNamesFindNothing() {
        assertTrue(EventType.ofTopic("spine.patient-outcomes.v1").isEmpty());
        assertTrue(EventType.ofTopic("SPINE.PROCEDURES.V1").isEmpty(), "topic names are case-sensitive");
        assertTrue(EventType.fromJsonName("follow-up").isEmpty());
        assertTrue(EventType.fromJsonName(null).isEmpty());
    }

    @Test
    void aRecordsTypeIsItsClass() {
        assertEquals(EventType.FOLLOWUP, EventType.of(new FollowUpEvent()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventType.of(new PatientOutcome()));
        assertEquals("Not an input event: org.spineoutcomes.schema.PatientOutcome", e.getMessage());
    }
}
