package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * An unexpected failure in the cell step dead-letters what failed and the pipeline goes on; nothing is
 * retried forever. The failures are injected as the cell step would meet them after a bug upstream: a
 * change that cannot be merged (a count that overflows), and a cell whose counts went negative (a
 * subtraction without its addition, which cannot be published).
 */
class ProcessingFailuresTest {
    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final String CELL_DELTAS = "spine-test-" + SpineTopology.CELL_DELTAS_TOPIC + "-repartition";
    static final CellKey VP_M1 = new CellKey("ITT", "VERTEBROPLASTY", "M1", "ALL");
    static final CellKey KP_M1 = new CellKey("ITT", "KYPHOPLASTY", "M1", "ALL");

    /** Patient p1: a vertebroplasty, baseline pain 8, 3 at one month; the cells settled at the data cut. */
    private static Contribution startWithOnePatient(SpineTestDriver d) {
        d.pipe(vertebroplasty("p1", "p1-vp", day(0)));
        d.pipe(nrs("p1", "p1-base", day(-2), 8));
        d.pipe(nrs("p1", "p1-m1", day(30), 3));
        d.advanceWallClock(Duration.ofSeconds(6)); // past the data-cut refresh: every cell published at the final cut
        Contribution c = CellContributions.of(d.outcomes.get("p1")).get(VP_M1);
        assertNotNull(c, "p1 contributes to " + VP_M1);
        d.aggregates.poll();
        d.comparisons.poll();
        assertEquals(List.of(), d.readRejected());
        return c;
    }

    /** Patient p2: a vertebroplasty, baseline pain 6, 2 at one month (the same cells as p1). */
    private static void addSecondPatient(SpineTestDriver d) {
        d.pipe(vertebroplasty("p2", "p2-vp", day(1)));
        d.pipe(nrs("p2", "p2-base", day(-1), 6));
        d.pipe(nrs("p2", "p2-m1", day(31), 2));
    }

    private static TestInputTopic<String, byte[]> cellDeltas(SpineTestDriver d) {
        return d.driver().createInputTopic(CELL_DELTAS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    @Test
    void aCellWhoseMergeFails_isDeadLetteredWithItsChange_theOtherCellsOfTheRecordAreMerged() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            Contribution p1 = startWithOnePatient(d);
            ArmAggregate before = d.aggregates.get(VP_M1.asText());
            assertEquals(1L, before.getPatients());

            // One record, two cells: VP_M1 gets a change whose patient count overflows its sum; KP_M1 a valid one.
            CellDeltaBatch batch = new CellDeltaBatch();
            CellStatistics overflowing = cellWithPatients(Long.MAX_VALUE);
            batch.add(VP_M1, overflowing);
            batch.add(KP_M1, new CellDelta(null, p1));
            cellDeltas(d).pipeInput("ITT/M1", batch.toBytes());

            List<TestRecord<byte[], byte[]>> dead = d.readRejected();
            assertEquals(1, dead.size());
            TestRecord<byte[], byte[]> dl = dead.get(0);
            assertEquals(VP_M1.asText(), new String(dl.key(), StandardCharsets.UTF_8));
            assertArrayEquals(overflowing.toBytes(), dl.value(), "the change that could not be merged");
            assertEquals("PROCESSING_ERROR", header(dl, RejectionHeaders.REASON));
            assertEquals("cell-merge", header(dl, RejectionHeaders.STAGE));
            assertEquals(CELL_DELTAS, header(dl, RejectionHeaders.SOURCE_TOPIC));
            assertTrue(Long.parseLong(header(dl, RejectionHeaders.SOURCE_OFFSET)) >= 0, "the offset of the cell-deltas record");
            assertEquals("merging the net change of cell ITT/VERTEBROPLASTY/M1/ALL failed; the cell keeps its statistics without it: "
                    + "ArithmeticException: long overflow", header(dl, RejectionHeaders.MESSAGE));

            Map<String, ArmAggregate> published = latest(d.aggregates.poll());
            assertEquals(List.of(KP_M1.asText()), List.copyOf(published.keySet()), "only the merged cell is published");
            ArmAggregate kp = published.get(KP_M1.asText());
            assertEquals(1L, kp.getPatients());
            assertEquals(before.getMeasures().toString(), kp.getMeasures().toString(), "the same patient's contribution");
            assertEquals(1L, d.aggregates.get(VP_M1.asText()).getPatients(), "the failed cell kept its statistics");
            assertEquals(Map.of("cell-merge", 1.0), d.metricByTag(IngestMetrics.GROUP, "processing-errors-total", "stage"));

            // Nothing retries it: time passes, the pipeline goes on with the next patient.
            d.advanceWallClock(Duration.ofSeconds(30));
            assertEquals(List.of(), d.readRejected());
            addSecondPatient(d);
            assertEquals(2L, d.aggregates.get(VP_M1.asText()).getPatients());
            assertEquals(List.of(), d.readRejected());
        }
    }

    @Test
    void aCellThatCannotBePublished_isDeadLetteredOnce_andNotRetriedUntilItChanges() {
        try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults(), WALL_CLOCK)) {
            Contribution p1 = startWithOnePatient(d);

            // A patient leaving KP_M1, where it never was: the cell's counts go negative, its aggregate cannot be computed.
            CellDeltaBatch batch = new CellDeltaBatch().add(KP_M1, new CellDelta(p1, null));
            // what the cell holds then (its completeness counts are kept apart)
            byte[] negative = new CellStatistics().mergeWithoutCompleteness(batch.cells().get(KP_M1)).toBytes();
            cellDeltas(d).pipeInput("ITT/M1", batch.toBytes());

            List<TestRecord<byte[], byte[]>> dead = d.readRejected();
            // The cell, and the comparison that needs it, cannot be computed.
            assertEquals(List.of("cell-publication:" + KP_M1.asText(), "cell-publication:ITT/KP_vs_VP/M1/ALL"), dead.stream()
                    .map(r -> header(r, RejectionHeaders.STAGE) + ":" + new String(r.key(), StandardCharsets.UTF_8)).toList());
            assertEquals(null, dead.get(1).value(), "no statistics for a comparison");
            TestRecord<byte[], byte[]> dl = dead.get(0);
            assertArrayEquals(negative, dl.value(), "the statistics that could not be published");
            assertEquals("PROCESSING_ERROR", header(dl, RejectionHeaders.REASON));
            assertEquals("computing aggregate ITT/KYPHOPLASTY/M1/ALL for publication failed; not published: IllegalArgumentException: "
                    + "cell ITT/KYPHOPLASTY/M1/ALL has no patients (-1): it is deleted, not published (R30)", header(dl, RejectionHeaders.MESSAGE));
            assertEquals(null, d.aggregates.get(KP_M1.asText()), "nothing published for it");
            assertEquals(Map.of("cell-publication", 2.0), d.metricByTag(IngestMetrics.GROUP, "processing-errors-total", "stage"));

            // No longer due: no retry loop while nothing changes (the data cut stays).
            d.advanceWallClock(Duration.ofSeconds(30));
            assertEquals(List.of(), d.readRejected());
            // The other cells go on. The comparison with the broken cell is tried again only when its other side changes.
            addSecondPatient(d);
            long vpPublications = d.aggregates.poll().stream().filter(r -> r.key().equals(VP_M1.asText())).count();
            assertEquals(2L, d.aggregates.get(VP_M1.asText()).getPatients());
            List<String> again = d.readRejected().stream()
                    .map(r -> header(r, RejectionHeaders.STAGE) + ":" + new String(r.key(), StandardCharsets.UTF_8)).toList();
            assertTrue(vpPublications > 0);
            assertEquals(java.util.Collections.nCopies((int) vpPublications, "cell-publication:ITT/KP_vs_VP/M1/ALL"), again);
            // Its own next change publishes it if it can: the patient's contribution added back makes the cell empty (deleted).
            cellDeltas(d).pipeInput("ITT/M1", new CellDeltaBatch().add(KP_M1, new CellDelta(null, p1)).toBytes());
            assertEquals(List.of(), d.readRejected());
            List<TestRecord<String, ArmAggregate>> last = d.aggregates.poll();
            assertEquals(1, last.size());
            assertEquals(KP_M1.asText(), last.get(0).key());
            assertEquals(null, last.get(0).value(), "a tombstone: the cell is empty again");
        }
    }

    /** Statistics with only a patient count, in the documented binary form (version, zig-zag varints). */
    static CellStatistics cellWithPatients(long patients) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] empty = new CellStatistics().toBytes(); // version, patients 0, no moments, proportions, pairs, dates
        out.write(empty[0]);
        long zigzag = (patients << 1) ^ (patients >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.write(empty, 2, empty.length - 2);
        CellStatistics s = CellStatistics.fromBytes(out.toByteArray());
        assertEquals(patients, s.patients());
        return s;
    }

    private static Map<String, ArmAggregate> latest(List<TestRecord<String, ArmAggregate>> records) {
        Map<String, ArmAggregate> m = new java.util.TreeMap<>();
        records.forEach(r -> m.put(r.key(), r.value()));
        return m;
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
