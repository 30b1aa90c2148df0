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
import org.spineoutcomes.testing.AvroBytes;
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

    /**
     * Issue 11, item 1: a patient with 10,000 follow-ups works, in stream and batch alike. Every record the
     * patient step writes (its two stores' changelogs, the outcome) stays small, so nothing nears a broker's
     * 1 MB limit however long the history; the outcome equals the batch's byte for byte. Folded mode, the
     * runtime's default: the outcome is computed ten times, once per 1,000 events.
     */
    @Test
    void tenThousandFollowUps_streamEqualsBatch_andEveryRecordWrittenStaysSmall() {
        java.time.Instant cut = Instant.parse("2026-12-01T00:00:00Z");
        TopologySettings folded = TopologySettings.defaults().withDataCut(cut).withDeltaFlushInterval(java.time.Duration.ofMillis(100));
        List<org.apache.avro.specific.SpecificRecord> events = new java.util.ArrayList<>();
        events.add(vertebroplasty("p1", INDEX));
        events.add(nrs("base", day(-2), 8));
        for (int i = 0; i < 10_000; i++) {
            // Days 1-720, several a day: scores 0-10 in turn.
            events.add(nrs("f" + i, day(1 + i % 720).plus(java.time.Duration.ofMinutes(i / 720)), i % 11));
        }
        try (SpineTestDriver d = new SpineTestDriver(folded, WALL_CLOCK)) {
            var eventsChangelog = d.driver().createOutputTopic("spine-test-" + SpineTopology.EVENTS_STORE + "-changelog",
                    Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
            var stateChangelog = d.driver().createOutputTopic("spine-test-" + SpineTopology.PATIENT_STORE + "-changelog",
                    Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
            int largest = 0;
            int eventEntries = 0;
            for (int i = 0; i < events.size(); i++) {
                d.pipe(events.get(i));
                if (i % 1_000 == 999 || i == events.size() - 1) {
                    d.advanceWallClock(java.time.Duration.ofMillis(100));
                    for (TestRecord<String, byte[]> r : eventsChangelog.readRecordsToList()) {
                        eventEntries++;
                        largest = Math.max(largest, r.value() == null ? 0 : r.value().length);
                    }
                    for (TestRecord<String, byte[]> r : stateChangelog.readRecordsToList()) {
                        largest = Math.max(largest, r.value() == null ? 0 : r.value().length);
                    }
                }
            }
            assertEquals(10_002, eventEntries, "one entry per event");
            assertTrue(largest < 20_000, "largest store record " + largest + " bytes");
            org.spineoutcomes.batch.BatchComputation batch = new org.spineoutcomes.batch.BatchComputation();
            events.forEach(batch::add);
            org.spineoutcomes.schema.PatientOutcome expected = batch.result(cut).outcomes().get(DEFAULT_PATIENT);
            org.spineoutcomes.schema.PatientOutcome streamed = d.outcomes.get(DEFAULT_PATIENT);
            org.junit.jupiter.api.Assertions.assertArrayEquals(AvroBytes.of(expected), AvroBytes.of(streamed));
            assertTrue(AvroBytes.of(streamed).length < 20_000, "outcome " + AvroBytes.of(streamed).length + " bytes");
            // M1 (days 15-45) takes the assessment nearest day 30: day 30 holds f29, f749, ... (i % 720 = 29); ties go to
            // the earliest instant (R3), f29 at 10:00, which scores 29 % 11 = 7; pain relief 8 - 7.
            assertEquals(1.0, streamed.getWindows().stream().filter(w -> w.getWindow().name().equals("M1")).findFirst().orElseThrow().getPainRelief());
        }
    }
}
