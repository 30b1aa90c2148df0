package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.followUp;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * Every kind of bad input lands on spine.rejected.v1 with its original key and value bytes and the
 * headers naming reason, message, source topic, partition and offset; the ingest metrics reconcile.
 */
class DeadLetterTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String FOLLOWUPS = Topics.FOLLOWUPS.name();
    static final String PROCEDURES = Topics.PROCEDURES.name();

    @Test
    void badRecordsAreDeadLetteredWithTheirOriginalBytesAndTheMetricsReconcile() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            byte[] p1 = bytes("p1");

            // followups offset 0: not Confluent-wire Avro at all.
            byte[] garbage = bytes("not avro");
            d.pipeRaw(FOLLOWUPS, p1, garbage);
            // procedures offset 0: magic byte 0, schema id 9999 (unknown), then some payload.
            byte[] unknownId = ByteBuffer.allocate(8).put((byte) 0).putInt(9999).put(new byte[] {2, 4, 6}).array();
            d.pipeRaw(PROCEDURES, p1, unknownId);
            // followups offset 1: NRS 11 is outside 0-10.
            FollowUpEvent nrs11 = nrs("p1", "p1-bad", day(30), 11);
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(nrs11));
            // procedures offset 1: keyed by another patient than the event's.
            SpecificRecord misKeyed = vertebroplasty("p1", "p1-vp", day(0));
            d.pipeRaw(PROCEDURES, bytes("p2"), d.wireBytes(misKeyed));
            // followups offsets 2, 3, 4: an event, a re-send of its id recorded an hour later (R9: it wins and
            // displaces the original, accepted before), and an exact duplicate of the original (ignored).
            FollowUpEvent original = nrs("p1", "p1-base", day(-2), 8);
            FollowUpEvent resend = FollowUpEvent.newBuilder(nrs("p1", "p1-base", day(-2), 7))
                    .setRecordedAt(original.getRecordedAt().plusSeconds(3600)).build();
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(original));
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(resend));
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(original));
            // followups offsets 5, 6: more than one day after the processing clock, and exactly one day (allowed).
            FollowUpEvent tooLate = followUp("p1", "p1-future", WALL_CLOCK.plus(Duration.ofDays(1)).plusSeconds(1))
                    .setRecordedAt(WALL_CLOCK).setPainNrs(2).build();
            FollowUpEvent justInTime = followUp("p1", "p1-tomorrow", WALL_CLOCK.plus(Duration.ofDays(1)))
                    .setRecordedAt(WALL_CLOCK).setPainNrs(2).build();
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(tooLate));
            d.pipeRaw(FOLLOWUPS, p1, d.wireBytes(justInTime));

            List<TestRecord<byte[], byte[]>> dead = d.readRejected();
            assertEquals(6, dead.size());
            check(dead.get(0), p1, garbage, "UNDECODABLE", null, FOLLOWUPS, 0);
            check(dead.get(1), p1, unknownId, "UNDECODABLE", null, PROCEDURES, 0);
            assertTrue(header(dead.get(1), RejectionHeaders.MESSAGE).contains("9999"), header(dead.get(1), RejectionHeaders.MESSAGE));
            check(dead.get(2), p1, d.wireBytes(nrs11), "INVALID_PAIN_NRS", "painNrs", FOLLOWUPS, 1);
            check(dead.get(3), bytes("p2"), d.wireBytes(misKeyed), "KEY_PATIENT_MISMATCH", "patientId", PROCEDURES, 1);
            // The displaced original: its content re-encoded (marked so), pointing at its original offset 2.
            check(dead.get(4), p1, d.wireBytes(original), "DUPLICATE_ID_CONFLICT", "eventId", FOLLOWUPS, 2);
            assertEquals("true", header(dead.get(4), RejectionHeaders.VALUE_REENCODED));
            assertEquals(null, header(dead.get(2), RejectionHeaders.VALUE_REENCODED));
            check(dead.get(5), p1, d.wireBytes(tooLate), "INVALID_TIMESTAMP", "occurredAt", FOLLOWUPS, 5);

            // The later re-send acts (R9): with a treatment, the baseline is 7, not 8.
            d.pipe(misKeyed); // correctly keyed this time (procedures offset 2)
            assertEquals(List.of(), d.readRejected());
            assertEquals(7.0, d.outcomes.get("p1").getBaselinePain());

            // 10 records in = 4 accepted (the re-send, the original's exact duplicate, the one-day-ahead
            // event, the procedure keyed right) + 6 rejected (the original left the accepted count when displaced).
            assertEquals(10.0, d.metricTotal(IngestMetrics.GROUP, "records-in-total"));
            assertEquals(4.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));
            assertEquals(1.0, d.metricTotal(IngestMetrics.GROUP, "records-duplicate-ignored-total"));
            assertEquals(1.0, d.metricTotal(IngestMetrics.GROUP, "records-displaced-total"));
            Map<String, Double> rejected = d.metricByTag(IngestMetrics.GROUP, "records-rejected-total", "reason");
            assertEquals(Map.of("UNDECODABLE", 2.0, "INVALID_PAIN_NRS", 1.0, "KEY_PATIENT_MISMATCH", 1.0,
                    "DUPLICATE_ID_CONFLICT", 1.0, "INVALID_TIMESTAMP", 1.0), rejected);
            double rejectedTotal = rejected.values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(d.metricTotal(IngestMetrics.GROUP, "records-in-total"),
                    d.metricTotal(IngestMetrics.GROUP, "records-accepted-total") + rejectedTotal);
        }
    }

    private static void check(TestRecord<byte[], byte[]> r, byte[] key, byte[] value, String reason, String field,
                              String topic, long offset) {
        assertArrayEquals(key, r.key(), "original key bytes");
        assertArrayEquals(value, r.value(), "original value bytes");
        assertEquals(reason, header(r, RejectionHeaders.REASON));
        assertFalse(header(r, RejectionHeaders.MESSAGE).isBlank(), "a human message");
        assertEquals(field, header(r, RejectionHeaders.FIELD));
        assertEquals(topic, header(r, RejectionHeaders.SOURCE_TOPIC));
        assertEquals("0", header(r, RejectionHeaders.SOURCE_PARTITION));
        assertEquals(String.valueOf(offset), header(r, RejectionHeaders.SOURCE_OFFSET));
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
