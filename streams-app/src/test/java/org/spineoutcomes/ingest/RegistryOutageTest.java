package org.spineoutcomes.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.testing.AvroBytes;
import org.spineoutcomes.testing.NextSchemaVersion;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.testing.SwitchableRegistry;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;
import org.spineoutcomes.topology.TopologySettings;

/**
 * A registry that cannot be asked is an infrastructure failure, not bad input (issue: 32,984 valid
 * records were dead-lettered during an outage). The ingest step holds the record that needed it, and
 * every later record of the task behind it, asks again with back-off, and decodes them in order when
 * the registry answers: the outputs are those of a run without the outage, and nothing is
 * dead-lettered for it. A registry that answers "no such schema" still dead-letters UNDECODABLE.
 */
class RegistryOutageTest {
    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String FOLLOWUPS = Topics.FOLLOWUPS.name();
    static final String PROCEDURES = Topics.PROCEDURES.name();

    final ProcedureEvent vpA = vertebroplasty("pa", "pa-vp", day(0));
    final FollowUpEvent baselineA = nrs("pa", "pa-base", day(-2), 8);
    final FollowUpEvent monthA = nrs("pa", "pa-m1", day(30), 3);
    final ProcedureEvent vpB = vertebroplasty("pb", "pb-vp", day(3));
    /** Magic byte, schema id 9999 (no registry has it), a payload. */
    final byte[] unknownId = ByteBuffer.allocate(8).put((byte) 0).putInt(9999).put(new byte[] {2, 4, 6}).array();

    @Test
    void anOutageHoldsTheRecordsInOrder_asksWithBackOff_andTheyAreProcessedWhenTheRegistryAnswers() {
        SwitchableRegistry[] view = new SwitchableRegistry[1];
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK, r -> view[0] = new SwitchableRegistry(r));
             SpineTestDriver reference = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            SwitchableRegistry registry = view[0];
            // A producer registered the next version of the follow-up schema; the app has not seen its id yet.
            int nextVersion = registry.register(FOLLOWUPS + "-value", NextSchemaVersion.of(FollowUpEvent.getClassSchema()));
            d.pipeRaw(PROCEDURES, key("pa"), d.wireBytes(vpA));
            assertEquals(1, d.outcomes.poll().size(), "decoded while the registry answers");

            registry.down(0);
            d.pipeRaw(FOLLOWUPS, key("pa"), NextSchemaVersion.wireBytes(nextVersion, baselineA)); // needs the registry: held
            d.pipeRaw(PROCEDURES, key("pb"), d.wireBytes(vpB)); // a known id, held behind it (the task's order is kept)
            d.pipeRaw(FOLLOWUPS, key("pa"), unknownId);
            d.pipeRaw(FOLLOWUPS, key("pa"), NextSchemaVersion.wireBytes(nextVersion, monthA));

            assertEquals(List.of(), d.outcomes.poll(), "nothing processed during the outage");
            assertEquals(List.of(), d.readRejected(), "nothing dead-lettered for an outage");
            assertEquals(5.0, d.metricTotal(IngestMetrics.GROUP, "records-in-total"));
            assertEquals(1.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));
            assertEquals(4.0, d.metricTotal(IngestMetrics.GROUP, "records-held-total"));
            assertEquals(1, registry.callsWhileDown(), "the records behind the first one are held without asking the registry");
            assertTrue(d.gate().closed());
            assertEquals("decoding spine.followups.v1-0@0", d.gate().outage().orElseThrow().where());

            // 20 s of outage: asked again after 0.5, 1, 2, 4 and 8 s, not once per punctuation (every 0.5 s).
            advance(d, Duration.ofSeconds(20));
            assertEquals(6, registry.callsWhileDown());
            assertEquals(6, d.gate().reports());
            assertEquals(1, d.gate().outages());
            assertEquals(List.of(), d.outcomes.poll());

            registry.up();
            advance(d, Duration.ofSeconds(6)); // the next try, 10 s after the last one
            assertFalse(d.gate().closed(), "the registry answered: the gate is open again");
            List<TestRecord<byte[], byte[]>> dead = d.readRejected();
            assertEquals(1, dead.size(), "only the record whose schema id the registry does not know");
            assertEquals("UNDECODABLE", header(dead.get(0), RejectionHeaders.REASON));
            assertEquals("1", header(dead.get(0), RejectionHeaders.SOURCE_OFFSET));
            assertEquals(5.0, d.metricTotal(IngestMetrics.GROUP, "records-in-total"));
            assertEquals(4.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));
            assertEquals(Map.of("UNDECODABLE", 1.0), d.metricByTag(IngestMetrics.GROUP, "records-rejected-total", "reason"));

            // The same events without an outage give the same outputs.
            reference.pipe(vpA);
            reference.pipe(baselineA);
            reference.pipe(vpB);
            reference.pipeRaw(FOLLOWUPS, key("pa"), unknownId);
            reference.pipe(monthA);
            assertSameTables(reference, d);
            assertEquals(8.0, d.outcomes.get("pa").getBaselinePain(), "the baseline of the follow-up held during the outage");
        }
    }

    @Test
    void aRegistryDownFromTheStart_withServerErrors_holdsTheFirstRecords() {
        SwitchableRegistry[] view = new SwitchableRegistry[1];
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK, r -> view[0] = new SwitchableRegistry(r));
             SpineTestDriver reference = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            byte[] vp = d.wireBytes(vpA);
            byte[] base = d.wireBytes(baselineA);
            view[0].down(503);
            d.pipeRaw(PROCEDURES, key("pa"), vp);
            d.pipeRaw(FOLLOWUPS, key("pa"), base);
            assertEquals(List.of(), d.outcomes.poll());
            assertEquals(List.of(), d.readRejected());
            assertEquals(2.0, d.metricTotal(IngestMetrics.GROUP, "records-held-total"));

            view[0].up();
            advance(d, Duration.ofSeconds(1));
            assertEquals(List.of(), d.readRejected());
            reference.pipe(vpA);
            reference.pipe(baselineA);
            assertSameTables(reference, d);
            assertEquals(8.0, d.outcomes.get("pa").getBaselinePain());
        }
    }

    private static void advance(SpineTestDriver d, Duration total) {
        for (long ms = 0; ms < total.toMillis(); ms += 100) {
            d.advanceWallClock(Duration.ofMillis(100));
        }
    }

    private static void assertSameTables(SpineTestDriver expected, SpineTestDriver actual) {
        // past a data-cut refresh (5 s), so that both publish their aggregates at the final cut
        advance(expected, Duration.ofSeconds(6));
        advance(actual, Duration.ofSeconds(6));
        assertEquals(expected.outcomes.table().keySet(), actual.outcomes.table().keySet());
        expected.outcomes.table().forEach((k, v) -> assertTrue(AvroBytes.same(v, actual.outcomes.get(k)), "outcome " + k));
        assertEquals(expected.aggregates.table().keySet(), actual.aggregates.table().keySet());
        expected.aggregates.table().forEach((k, v) -> assertTrue(AvroBytes.same(v, actual.aggregates.get(k)), "aggregate " + k));
        assertEquals(expected.comparisons.table().keySet(), actual.comparisons.table().keySet());
    }

    private static byte[] key(String patient) {
        return patient.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
