package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.OutcomeRules;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.testing.AvroBytes;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * Folded mode (the runtime's default, a flush every 100 ms): the patient step logs each event at once
 * and computes a patient's outcome once per flush, over all its events of the interval.
 */
class DeferredOutcomeTest {

    static final Instant WALL_CLOCK = Instant.parse("2027-01-01T00:00:00Z");
    static final Duration FLUSH = Duration.ofMillis(100);
    static final Instant CUT = Instant.parse("2026-12-01T00:00:00Z");

    private static TopologySettings folded(OutcomeRules rules) {
        return TopologySettings.defaults().withDataCut(CUT).withDeltaFlushInterval(FLUSH).withRules(rules);
    }

    @Test
    void eventsOfOneIntervalGiveOneOutcomeRecord_equalToTheBatch() {
        List<SpecificRecord> events = List.of(
                vertebroplasty("p1", "p1-vp", day(0)),
                nrs("p1", "p1-base", day(-2), 8),
                nrs("p1", "p1-w1", day(7), 5),
                nrs("p1", "p1-m1", day(30), 3));
        try (SpineTestDriver d = new SpineTestDriver(folded(OutcomeRules.CURRENT), WALL_CLOCK)) {
            d.pipeAll(events);
            assertEquals(0, d.outcomes.poll().size(), "nothing before the flush");
            d.advanceWallClock(FLUSH);
            List<TestRecord<String, PatientOutcome>> out = d.outcomes.poll();
            assertEquals(1, out.size(), "four events, one computation, one record");
            PatientOutcome expected = batch(events).outcomes().get("p1");
            assertEquals(5.0, expected.getWindows().stream().filter(w -> w.getWindow().name().equals("M1")).findFirst()
                    .orElseThrow().getPainRelief()); // 8 - 3, so the batch itself is what we think
            assertArrayEquals(AvroBytes.of(expected), AvroBytes.of(out.get(0).value()));
            assertEquals(4.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));

            // A later event of the same patient: one more record, on the next flush only.
            FollowUpEvent m3 = nrs("p1", "p1-m3", day(90), 2);
            d.pipe(m3);
            assertEquals(0, d.outcomes.poll().size());
            d.advanceWallClock(FLUSH);
            assertEquals(1, d.outcomes.poll().size());
            assertArrayEquals(AvroBytes.of(batch(append(events, m3)).outcomes().get("p1")), AvroBytes.of(d.outcomes.get("p1")));
        }
    }

    /**
     * Catching up (input stamped more than 10 s before the wall clock: a backfill), the step hands on every
     * tenth flush interval while input keeps coming, so a patient's events and a cell's changes of a whole
     * second are folded once; a pause of one interval, or live input, hands on at once.
     */
    @Test
    void catchingUpHandsOnEveryTenIntervalsWhileInputKeepsComing() {
        Instant old = WALL_CLOCK.minus(Duration.ofHours(1));
        Duration half = FLUSH.dividedBy(2);
        try (SpineTestDriver d = new SpineTestDriver(folded(OutcomeRules.CURRENT), WALL_CLOCK)) {
            // An event every 50 ms: the 100 ms checks find input within the last interval every time.
            for (int i = 0; i < 19; i++) {
                d.pipe(vertebroplasty("p" + i, "p" + i + "-vp", day(0)), old);
                d.advanceWallClock(half);
                assertEquals(0, d.outcomes.poll().size(), "no hand-on at " + (i + 1) * 50 + " ms");
            }
            // At 1,000 ms, ten intervals after the start, input still coming: the hand-on, with every patient's outcome.
            d.pipe(vertebroplasty("p19", "p19-vp", day(0)), old);
            d.advanceWallClock(half);
            assertEquals(20, d.outcomes.poll().size());

            // One more backfilled event, then a pause of one interval: handed on at once.
            d.pipe(vertebroplasty("q", "q-vp", day(0)), old);
            d.advanceWallClock(FLUSH);
            assertEquals(1, d.outcomes.poll().size());

            // Live input (stamped now): every interval again, even while input keeps coming.
            Instant now = WALL_CLOCK.plus(Duration.ofMillis(1_100));
            d.pipe(vertebroplasty("r", "r-vp", day(0)), now);
            d.advanceWallClock(half);
            d.pipe(vertebroplasty("s", "s-vp", day(0)), now.plus(half));
            d.advanceWallClock(half);
            assertEquals(2, d.outcomes.poll().size());
        }
    }

    /** Catching up, a task's hand-on also comes after CATCH_UP_MAX_INPUTS (3,000) input records, so that no hand-on grows without bound. */
    @Test
    void catchingUpHandsOnAfterAFewThousandInputsAtTheLatest() {
        Instant old = WALL_CLOCK.minus(Duration.ofHours(1));
        Duration half = FLUSH.dividedBy(2);
        try (SpineTestDriver d = new SpineTestDriver(folded(OutcomeRules.CURRENT), WALL_CLOCK)) {
            for (int i = 0; i < PatientProcessor.CATCH_UP_MAX_INPUTS - 2; i++) d.pipe(vertebroplasty("p" + i, "p" + i + "-vp", day(0)), old);
            d.advanceWallClock(half);
            d.pipe(vertebroplasty("x", "x-vp", day(0)), old);
            d.advanceWallClock(half);
            assertEquals(0, d.outcomes.poll().size(), "one input short of the limit at 100 ms: still folding");
            d.pipe(vertebroplasty("y", "y-vp", day(0)), old);
            d.advanceWallClock(FLUSH);
            // (the input paused for an interval here too; the count alone decides in the next step)
            assertEquals(PatientProcessor.CATCH_UP_MAX_INPUTS, d.outcomes.poll().size());
            for (int i = 0; i < PatientProcessor.CATCH_UP_MAX_INPUTS; i++) d.pipe(vertebroplasty("z" + i, "z" + i + "-vp", day(0)), old);
            d.advanceWallClock(half);
            d.pipe(vertebroplasty("w", "w-vp", day(0)), old);
            d.advanceWallClock(half);
            assertEquals(PatientProcessor.CATCH_UP_MAX_INPUTS + 1, d.outcomes.poll().size(), "one input past the limit, input still coming at 100 ms");
        }
    }

    /**
     * The outcome over the interval's events fails because of one of them: the step replays them one by
     * one from the state before, dead-letters only that record (original bytes, PROCESSING_ERROR), and
     * the patient's outcome is the one without it. Counts still reconcile: 4 in = 3 accepted + 1 rejected.
     */
    @Test
    void aFailingComputationDeadLettersOnlyTheRecordThatCausesIt() {
        OutcomeRules failsOnBadEvent = OutcomeRules.of(OutcomeRules.CURRENT_VERSION, (patient, resolved) -> {
            if (resolved.followUps().stream().anyMatch(f -> f.getEventId().equals("p1-bad"))) {
                throw new IllegalStateException("engine bug triggered by p1-bad");
            }
            return OutcomeEngine.compute(patient, resolved);
        });
        FollowUpEvent bad = nrs("p1", "p1-bad", day(14), 6);
        List<SpecificRecord> good = List.of(vertebroplasty("p1", "p1-vp", day(0)), nrs("p1", "p1-base", day(-2), 8),
                nrs("p1", "p1-m1", day(30), 3));
        try (SpineTestDriver d = new SpineTestDriver(folded(failsOnBadEvent), WALL_CLOCK)) {
            d.pipe(good.get(0));
            d.pipe(good.get(1));
            byte[] badBytes = d.wireBytes(bad);
            d.pipeRaw(Topics.FOLLOWUPS.name(), "p1".getBytes(StandardCharsets.UTF_8), badBytes);
            d.pipe(good.get(2));
            d.advanceWallClock(FLUSH);

            List<TestRecord<byte[], byte[]>> rejected = d.readRejected();
            assertEquals(1, rejected.size());
            assertArrayEquals(badBytes, rejected.get(0).value());
            assertEquals("PROCESSING_ERROR", header(rejected.get(0), RejectionHeaders.REASON));
            assertArrayEquals(AvroBytes.of(batch(good).outcomes().get("p1")), AvroBytes.of(d.outcomes.get("p1")));
            assertEquals(4.0, d.metricTotal(IngestMetrics.GROUP, "records-in-total"));
            assertEquals(3.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));
            assertEquals(1.0, d.metricTotal(IngestMetrics.GROUP, "records-rejected-total"));

            // The bad version left the log again: the next event computes without it and succeeds.
            FollowUpEvent m3 = nrs("p1", "p1-m3", day(90), 2);
            d.pipe(m3);
            d.advanceWallClock(FLUSH);
            assertEquals(0, d.readRejected().size());
            assertArrayEquals(AvroBytes.of(batch(append(good, m3)).outcomes().get("p1")), AvroBytes.of(d.outcomes.get("p1")));
        }
    }

    /** A new patient whose only event fails leaves nothing behind: no outcome, and the event is dead-lettered. */
    @Test
    void aNewPatientWhoseOnlyEventFailsLeavesNoState() {
        OutcomeRules alwaysFails = OutcomeRules.of(OutcomeRules.CURRENT_VERSION, (patient, resolved) -> {
            throw new IllegalStateException("engine bug");
        });
        try (SpineTestDriver d = new SpineTestDriver(folded(alwaysFails), WALL_CLOCK)) {
            d.pipe(vertebroplasty("p2", "p2-vp", day(0)));
            d.advanceWallClock(FLUSH);
            assertEquals(1, d.readRejected().size());
            assertNull(d.outcomes.get("p2"));
            assertEquals(0.0, d.metricTotal(IngestMetrics.GROUP, "records-accepted-total"));
            assertEquals(1.0, d.metricTotal(IngestMetrics.GROUP, "records-rejected-total"));
        }
    }

    private static BatchComputation.Result batch(List<SpecificRecord> events) {
        BatchComputation b = new BatchComputation();
        events.forEach(b::add);
        return b.result(CUT);
    }

    private static List<SpecificRecord> append(List<SpecificRecord> events, SpecificRecord e) {
        List<SpecificRecord> all = new java.util.ArrayList<>(events);
        all.add(e);
        return all;
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
