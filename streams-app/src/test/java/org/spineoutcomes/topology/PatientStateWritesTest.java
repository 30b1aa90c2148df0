package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.testing.SpineTestDriver;

/**
 * State writes grow with the change, not with the patient's history: the 201st event of a patient
 * writes one small events-store entry (its own id) and the patient's outcome, whatever the number of
 * events stored before (issue: a patient with 200 follow-ups must not rewrite 200 events per arrival).
 */
class PatientStateWritesTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");

    @Test
    void anEventRewritesOnlyItsOwnEntry() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            var eventsChangelog = d.driver().createOutputTopic("spine-test-" + SpineTopology.EVENTS_STORE + "-changelog",
                    Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
            d.pipe(vertebroplasty("p1", INDEX));
            for (int i = 0; i < 200; i++) d.pipe(nrs("f" + i, day(1 + i), i % 11));
            eventsChangelog.readRecordsToList(); // the history
            d.pipe(nrs("f-last", day(300), 2));
            List<TestRecord<String, byte[]>> written = eventsChangelog.readRecordsToList();
            assertEquals(1, written.size(), "one entry written for the new event");
            assertEquals(DEFAULT_PATIENT + "\u0000f-last", written.get(0).key());
            assertTrue(written.get(0).value().length < 1_000, "entry size " + written.get(0).value().length + " bytes");
            // And the outcome still sees all 201 follow-ups: the latest NRS in M12 (day 300 is the nearest to 365) is 2.
            assertEquals(2.0, d.outcomes.get(DEFAULT_PATIENT).getWindows().get(6).getPain());
        }
    }
}
