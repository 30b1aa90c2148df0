package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.testing.AvroBytes;
import org.spineoutcomes.testing.RandomCohort;
import org.spineoutcomes.testing.SpineTestDriver;
import org.spineoutcomes.validation.EventValidator;

/**
 * Order independence (issue 4, docs/architecture.md): the final contents of the three compacted output topics
 * depend only on the set of valid events. For each seed a random cohort is piped in two random
 * interleavings into fresh drivers; the final tables (last value per key, tombstones removing
 * keys) must be identical and equal {@link BatchComputation} over the same events, aggregates at
 * the same fixed data cut. A second test uses the default cut (R2: the largest occurred-at), lets
 * the wall-clock punctuator re-publish, and compares with the batch at its default cut.
 *
 * <p>Cohort size: every input event costs about 4 ms in the driver (about 33 aggregate and
 * comparison records, each computed with exact BigDecimal statistics), so 20 seeds x 2 runs stay
 * near a minute only with about 25 patients per cohort (about 300 events). Set
 * {@code -Dspine.property.patients=150} for a longer, larger run.
 */
class OrderIndependenceTest {

    /** After every generated timestamp plus the validator's one-day tolerance. */
    static final Instant WALL_CLOCK = RandomCohort.LATEST.plus(Duration.ofDays(2));
    /** Mid-cohort, so some windows have elapsed and others not (completeness, R33). */
    static final Instant FIXED_CUT = Instant.parse("2023-09-01T00:00:00Z");
    static final int PATIENTS = Integer.getInteger("spine.property.patients", 25);

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20);
    }

    static LongStream defaultCutSeeds() {
        return LongStream.rangeClosed(101, 102);
    }

    record Finals(Map<String, ? extends SpecificRecord> outcomes, Map<String, ? extends SpecificRecord> aggregates,
                  Map<String, ? extends SpecificRecord> comparisons, Map<String, ? extends SpecificRecord> adjusted,
                  Map<String, ? extends SpecificRecord> timeToEvent, int rejected) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void finalOutputsDependOnlyOnTheEventSet(long seed) {
        RandomCohort.Cohort cohort = RandomCohort.generate(seed, PATIENTS);
        List<SpecificRecord> first = cohort.interleaving(seed * 7919 + 1);
        List<SpecificRecord> second = cohort.interleaving(seed * 7919 + 2);
        Batch batch = batch(first);
        BatchComputation.Result expected = batch.computation().result(FIXED_CUT);
        assertTrue(expected.refused().size() > 0, "the generator makes re-sends that lose (R9)");

        Finals a = run(TopologySettings.defaults().withDataCut(FIXED_CUT), first, false, false);
        // The second interleaving through the split app (patient stage and cell stage as two applications).
        Finals b = run(TopologySettings.defaults().withDataCut(FIXED_CUT), second, false, true);

        // Dead letters: the field-invalid events and every losing re-send, each exactly once in any order.
        assertEquals(batch.invalid() + expected.refused().size(), a.rejected(), "field-invalid events and R9 losers");
        assertEquals(batch.invalid() + expected.refused().size(), b.rejected(), "field-invalid events and R9 losers");
        assertSameTable("outcomes, interleaving 1 vs 2", a.outcomes(), b.outcomes());
        assertSameTable("aggregates, interleaving 1 vs 2", a.aggregates(), b.aggregates());
        assertSameTable("comparisons, interleaving 1 vs 2", a.comparisons(), b.comparisons());
        assertSameTable("outcomes vs batch", expected.outcomes(), a.outcomes());
        assertSameTable("aggregates vs batch at " + FIXED_CUT, expected.aggregates(), a.aggregates());
        assertSameTable("comparisons vs batch", expected.comparisons(), a.comparisons());
        assertSameTable("adjusted comparisons, interleaving 1 vs 2", a.adjusted(), b.adjusted());
        assertSameTable("time to event, interleaving 1 vs 2", a.timeToEvent(), b.timeToEvent());
        assertSameTable("adjusted comparisons vs batch", expected.adjustedComparisons(), a.adjusted());
        assertSameTable("time to event vs batch", expected.timeToEvent(), a.timeToEvent());
        assertTrue(a.aggregates().size() > 100, "a cohort fills many cells: " + a.aggregates().size());
        assertTrue(a.adjusted().size() > 20 && a.timeToEvent().size() > 20,
                "a cohort fills many R36-R38 records: " + a.adjusted().size() + ", " + a.timeToEvent().size());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("defaultCutSeeds")
    void defaultDataCutIsRepublishedAndEqualsTheBatch(long seed) {
        RandomCohort.Cohort cohort = RandomCohort.generate(seed, PATIENTS);
        List<SpecificRecord> order = cohort.interleaving(seed);
        BatchComputation.Result expected = batch(order).computation().result(null);

        Finals finals = run(TopologySettings.defaults(), order, true, seed % 2 == 0);

        assertSameTable("outcomes vs batch", expected.outcomes(), finals.outcomes());
        assertSameTable("aggregates vs batch at the default cut " + expected.dataCut(), expected.aggregates(), finals.aggregates());
        assertSameTable("comparisons vs batch", expected.comparisons(), finals.comparisons());
        assertSameTable("adjusted comparisons vs batch", expected.adjustedComparisons(), finals.adjusted());
        assertSameTable("time to event vs batch", expected.timeToEvent(), finals.timeToEvent());
    }

    static LongStream foldedSeeds() {
        return LongStream.rangeClosed(201, 206);
    }

    /**
     * The runtime folds cell changes in the patient step and hands them on every flush interval; here
     * the wall clock moves 100 ms after every few events, so flushes fall between arbitrary updates.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("foldedSeeds")
    void foldedCellChanges_giveTheSameOutputsAsTheBatch(long seed) {
        RandomCohort.Cohort cohort = RandomCohort.generate(seed, PATIENTS);
        List<SpecificRecord> order = cohort.interleaving(seed * 31 + 7);
        BatchComputation.Result expected = batch(order).computation().result(FIXED_CUT);
        TopologySettings settings = TopologySettings.defaults().withDataCut(FIXED_CUT).withDeltaFlushInterval(Duration.ofMillis(100));
        java.util.Random rnd = new java.util.Random(seed);
        // Half of the seeds through the split app, where the batches cross from one application to the other.
        try (SpineTestDriver driver = seed % 2 == 0 ? SpineTestDriver.split(settings, WALL_CLOCK) : new SpineTestDriver(settings, WALL_CLOCK)) {
            for (SpecificRecord e : order) {
                driver.pipe(e);
                if (rnd.nextInt(7) == 0) driver.advanceWallClock(Duration.ofMillis(100));
            }
            driver.advanceWallClock(Duration.ofMillis(100));
            assertSameTable("outcomes vs batch", expected.outcomes(), driver.outcomes.table());
            assertSameTable("aggregates vs batch", expected.aggregates(), driver.aggregates.table());
            assertSameTable("comparisons vs batch", expected.comparisons(), driver.comparisons.table());
            assertSameTable("adjusted comparisons vs batch", expected.adjustedComparisons(), driver.adjustedComparisons.table());
            assertSameTable("time to event vs batch", expected.timeToEvent(), driver.timeToEvent.table());
        }
    }

    /**
     * The runtime's settings (changes folded every 100 ms, publication coalesced every second on the wall
     * clock, sliced rounds) on a larger cohort, so that standardised comparisons have usable patterns and
     * Kaplan-Meier cells have events: the R36-R38 records equal the batch's.
     */
    @ParameterizedTest(name = "split {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void runtimeSettings_adjustedAndTimeToEventRecordsEqualTheBatch(boolean split) {
        RandomCohort.Cohort cohort = RandomCohort.generate(301, 150);
        List<SpecificRecord> order = cohort.interleaving(302);
        BatchComputation.Result expected = batch(order).computation().result(FIXED_CUT);
        TopologySettings settings = TopologySettings.defaults().withDataCut(FIXED_CUT).withDeltaFlushInterval(Duration.ofMillis(100))
                .withPublishInterval(Duration.ofSeconds(1));
        java.util.Random rnd = new java.util.Random(303);
        try (SpineTestDriver driver = split ? SpineTestDriver.split(settings, WALL_CLOCK) : new SpineTestDriver(settings, WALL_CLOCK)) {
            for (SpecificRecord e : order) {
                driver.pipe(e);
                if (rnd.nextInt(20) == 0) driver.advanceWallClock(Duration.ofMillis(100));
            }
            driver.advanceWallClock(Duration.ofMillis(100));
            driver.advanceWallClock(Duration.ofSeconds(1));
            for (int i = 0; i < 400; i++) driver.advanceWallClock(Duration.ofMillis(50)); // rounds cut into 20 ms slices finish
            assertSameTable("adjusted comparisons vs batch", expected.adjustedComparisons(), driver.adjustedComparisons.table());
            assertSameTable("time to event vs batch", expected.timeToEvent(), driver.timeToEvent.table());
        }
        long withEstimate = expected.adjustedComparisons().values().stream().filter(c -> c.getDifference() != null).count();
        long withEvents = expected.timeToEvent().values().stream()
                .filter(t -> t.getKaplanMeier() != null && t.getKaplanMeier().getEvents() > 0).count();
        long logRanks = expected.timeToEvent().values().stream().filter(t -> t.getLogRank() != null && t.getLogRank().getChiSquare() != null).count();
        assertTrue(withEstimate > 5 && withEvents > 5 && logRanks > 5,
                "usable patterns, events and log-rank tests: " + withEstimate + ", " + withEvents + ", " + logRanks);
    }

    private record Batch(BatchComputation computation, int invalid) {}

    /** The batch over the events the validator accepts at the driver's clock (the stream dead-letters the rest). */
    private static Batch batch(List<SpecificRecord> events) {
        BatchComputation batch = new BatchComputation();
        EventValidator validator = new EventValidator();
        int invalid = 0;
        for (SpecificRecord e : events) {
            if (validator.isValid(e, WALL_CLOCK)) batch.add(e);
            else invalid++;
        }
        return new Batch(batch, invalid);
    }

    private static Finals run(TopologySettings settings, List<SpecificRecord> events, boolean letCutRepublish, boolean split) {
        try (SpineTestDriver driver = split ? SpineTestDriver.split(settings, WALL_CLOCK) : new SpineTestDriver(settings, WALL_CLOCK)) {
            driver.pipeAll(events);
            if (letCutRepublish) driver.advanceWallClock(settings.cutRefresh());
            return new Finals(Map.copyOf(driver.outcomes.table()), Map.copyOf(driver.aggregates.table()),
                    Map.copyOf(driver.comparisons.table()), Map.copyOf(driver.adjustedComparisons.table()),
                    Map.copyOf(driver.timeToEvent.table()), driver.readRejected().size());
        }
    }

    /** Equal maps (values compared by their Avro encoding), reporting the first differing key. */
    static void assertSameTable(String what, Map<String, ? extends SpecificRecord> expected, Map<String, ? extends SpecificRecord> actual) {
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        TreeSet<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail(what + ": keys differ; missing " + head(missing) + " (" + missing.size() + "), extra " + head(extra)
                    + " (" + extra.size() + ")");
        }
        for (String k : new TreeSet<>(expected.keySet())) {
            if (!AvroBytes.same(expected.get(k), actual.get(k))) {
                fail(what + ": values differ at " + k + "\nexpected " + expected.get(k) + "\nactual   " + actual.get(k));
            }
        }
    }

    private static String head(TreeSet<String> keys) {
        return keys.stream().limit(5).toList().toString();
    }
}
