package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.followUp;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * Raw Kafka records built to break the ingest step: each becomes a dead letter with its original
 * bytes and its reason (and field) in the headers, quickly, while valid events before and after it
 * are accepted; the ingest metrics reconcile. On Avro topics numbers are already doubles, so the
 * ranges are checked on the double (docs/input-limits.md).
 */
class HostileRecordsTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String FOLLOWUPS = Topics.FOLLOWUPS.name();
    static final String PROCEDURES = Topics.PROCEDURES.name();

    /** One hostile record: where it goes, its bytes (made with the driver's registry), what it must earn. */
    record Case(String name, String topic, String key, Function<SpineTestDriver, byte[]> value, String reason, String field) {}

    static byte[] header(int schemaId) {
        return ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A follow-up's bytes whose eventId claims to be 1,000,000,000 bytes long. */
    static byte[] lyingLength(SpineTestDriver d) {
        byte[] real = d.wireBytes(nrs("h", "h-len", day(5), 4));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Arrays.copyOf(real, 5));
        long zigzag = 1_000_000_000L << 1;
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.writeBytes("h-len".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static final List<Case> CASES = List.of(
            new Case("empty value", FOLLOWUPS, "h", d -> new byte[0], "UNDECODABLE", null),
            new Case("tombstone", FOLLOWUPS, "h", d -> null, "UNDECODABLE", null),
            new Case("three bytes", FOLLOWUPS, "h", d -> new byte[] {0, 0, 1}, "UNDECODABLE", null),
            new Case("magic byte 1", FOLLOWUPS, "h", d -> {
                byte[] b = d.wireBytes(nrs("h", "h-magic", day(5), 4));
                b[0] = 1;
                return b;
            }, "UNDECODABLE", null),
            new Case("JSON text", FOLLOWUPS, "h", d -> "{\"type\": \"followup\"}".getBytes(StandardCharsets.UTF_8), "UNDECODABLE", null),
            new Case("unknown schema id", FOLLOWUPS, "h", d -> concat(header(424242), new byte[] {2, 'h', 2, 'h'}), "UNDECODABLE", null),
            new Case("truncated Avro", FOLLOWUPS, "h", d -> {
                byte[] b = d.wireBytes(nrs("h", "h-cut", day(5), 4));
                return Arrays.copyOf(b, b.length - 4);
            }, "UNDECODABLE", null),
            new Case("bytes after the record", FOLLOWUPS, "h", d -> concat(d.wireBytes(nrs("h", "h-pad", day(5), 4)), new byte[] {7, 7}),
                    "UNDECODABLE", null),
            new Case("a string claiming 1 GB", FOLLOWUPS, "h", HostileRecordsTest::lyingLength, "UNDECODABLE", null),
            new Case("a procedure on the follow-ups topic", FOLLOWUPS, "h", d -> d.wireBytes(vertebroplasty("h", "h-vp", day(0))),
                    "WRONG_EVENT_TYPE", null),
            new Case("a follow-up on the procedures topic", PROCEDURES, "h", d -> d.wireBytes(nrs("h", "h-fu", day(5), 4)),
                    "WRONG_EVENT_TYPE", null),
            new Case("a 1 MB patient id", FOLLOWUPS, "M".repeat(1_000_000), d -> d.wireBytes(nrs("M".repeat(1_000_000), "h-big", day(5), 4)),
                    "FIELD_TOO_LONG", "patientId"),
            new Case("a zero-width-space patient id", FOLLOWUPS, "\u200b", d -> d.wireBytes(nrs("\u200b", "h-zw", day(5), 4)),
                    "INVALID_IDENTIFIER", "patientId"),
            new Case("a byte-order-mark event id", FOLLOWUPS, "h", d -> d.wireBytes(nrs("h", "\ufeff", day(5), 4)),
                    "INVALID_IDENTIFIER", "eventId"),
            new Case("VAS NaN", FOLLOWUPS, "h", d -> d.wireBytes(followUp("h", "h-nan", day(5)).setPainVas(Double.NaN).build()),
                    "INVALID_PAIN_VAS", "painVas"),
            new Case("VAS 100.00000000000001 as a double", FOLLOWUPS, "h",
                    d -> d.wireBytes(followUp("h", "h-vas", day(5)).setPainVas(100.00000000000001).build()), "INVALID_PAIN_VAS", "painVas"));

    @Test
    void everyHostileRecordIsDeadLetteredWithItsReasonAndTheValidOnesAroundItAreAccepted() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            d.pipe(vertebroplasty("ok", "ok-vp", day(0)));
            d.pipe(nrs("ok", "ok-base", day(-1), 8));
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
                byte[] value = c.value().apply(d);
                assertTimeout(Duration.ofSeconds(5), () -> d.pipeRaw(c.topic(), key, value), c.name());
                d.pipe(nrs("ok", "ok-" + i, day(10 + i), i % 10)); // a valid event after every hostile one
                List<TestRecord<byte[], byte[]>> dead = d.readRejected();
                if (dead.size() != 1) {
                    failures.add(c.name() + ": " + dead.size() + " dead letters");
                    continue;
                }
                TestRecord<byte[], byte[]> r = dead.get(0);
                String got = header(r, RejectionHeaders.REASON) + " " + header(r, RejectionHeaders.FIELD);
                if (!got.equals(c.reason() + " " + c.field())) failures.add(c.name() + ": " + got + " - " + header(r, RejectionHeaders.MESSAGE));
                assertArrayEquals(key, r.key(), c.name() + ": original key");
                assertArrayEquals(value, r.value(), c.name() + ": original value");
                assertEquals(c.topic(), header(r, RejectionHeaders.SOURCE_TOPIC), c.name());
                assertTrue(header(r, RejectionHeaders.MESSAGE).length() <= 4 * 1000 + 40, c.name() + ": bounded message");
            }
            assertEquals(List.of(), failures);

            // the valid events all made it: the patient's outcome reflects the last one
            assertEquals(8.0, d.outcomes.get("ok").getBaselinePain());
            double in = d.metricTotal(IngestMetrics.GROUP, "records-in-total");
            double accepted = d.metricTotal(IngestMetrics.GROUP, "records-accepted-total");
            Map<String, Double> rejected = d.metricByTag(IngestMetrics.GROUP, "records-rejected-total", "reason");
            assertEquals(2 + 2 * CASES.size(), in);
            assertEquals(2 + CASES.size(), accepted);
            Map<String, Double> expected = new TreeMap<>();
            CASES.forEach(c -> expected.merge(c.reason(), 1.0, Double::sum));
            assertEquals(expected, new TreeMap<>(rejected));
        }
    }

    @Test
    void theWrongTypeMessageNamesBothTypes() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            ProcedureEvent vp = vertebroplasty("h", "h-vp", day(0));
            d.pipeRaw(FOLLOWUPS, "h".getBytes(StandardCharsets.UTF_8), d.wireBytes(vp));
            String message = header(d.readRejected().get(0), RejectionHeaders.MESSAGE);
            assertTrue(message.contains("org.spineoutcomes.schema.ProcedureEvent") && message.contains("spine.followups.v1 carries FollowUpEvent"),
                    message);
            FollowUpEvent ok = nrs("h", "h-ok", day(3), 2);
            d.pipe(ok);
            assertEquals(List.of(), d.readRejected());
        }
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
