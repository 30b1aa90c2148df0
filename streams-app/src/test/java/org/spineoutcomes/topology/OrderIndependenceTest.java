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
 * Order independence (issue 4, DESIGN.md): the final contents of the three compacted output topics
 * depend only on the set of valid events. For each seed a random cohort is piped in two random
 * interleavings into fresh drivers; the final tables (last value per key, tombstones removing
 * keys) must be identical and equal {@link BatchComputation} over the same events. Aggregates are
 * compared at a fixed data cut; a third run uses the default cut (R2: the largest occurred-at) and
 * lets the wall-clock punctuator re-publish before comparing with the batch at its default cut.
 */
class OrderIndependenceTest {

    /** After every generated timestamp plus the validator's one-day tolerance. */
    static final Instant WALL_CLOCK = RandomCohort.LATEST.plus(Duration.ofDays(2));
    /** Mid-cohort, so some windows have elapsed and others not (completeness, R33). */
    static final Instant FIXED_CUT = Instant.parse("2024-09-01T00:00:00Z");
    static final int PATIENTS = 120;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20);
    }

    record Finals(Map<String, ?> outcomes, Map<String, ?> aggregates, Map<String, ?> comparisons, int rejected) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void finalOutputsDependOnlyOnTheEventSet(long seed) {
        RandomCohort.Cohort cohort = RandomCohort.generate(seed, PATIENTS);
        List<SpecificRecord> first = cohort.interleaving(seed * 7919 + 1);
        List<SpecificRecord> second = cohort.interleaving(seed * 7919 + 2);

        BatchComputation batch = new BatchComputation();
        EventValidator validator = new EventValidator();
        int invalid = 0;
        for (SpecificRecord e : first) {
            if (validator.isValid(e, WALL_CLOCK)) batch.add(e);
            else invalid++;
        }
        BatchComputation.Result atFixedCut = batch.result(FIXED_CUT);
        assertTrue(atFixedCut.refused().isEmpty(), "the generator must not produce conflicting duplicates: " + atFixedCut.refused());

        Finals a = run(TopologySettings.defaults().withDataCut(FIXED_CUT), first, false);
        Finals b = run(TopologySettings.defaults().withDataCut(FIXED_CUT), second, false);

        assertEquals(invalid, a.rejected(), "field-invalid events are the only dead letters");
        assertEquals(invalid, b.rejected(), "field-invalid events are the only dead letters");
        assertSameTable("outcomes, interleaving 1 vs 2", a.outcomes(), b.outcomes());
        assertSameTable("aggregates, interleaving 1 vs 2", a.aggregates(), b.aggregates());
        assertSameTable("comparisons, interleaving 1 vs 2", a.comparisons(), b.comparisons());
        assertSameTable("outcomes vs batch", atFixedCut.outcomes(), a.outcomes());
        assertSameTable("aggregates vs batch at " + FIXED_CUT, atFixedCut.aggregates(), a.aggregates());
        assertSameTable("comparisons vs batch", atFixedCut.comparisons(), a.comparisons());

        // Default cut (R2): after the punctuator re-publishes, every aggregate carries the final cut.
        BatchComputation.Result atDefaultCut = batch.result(null);
        Finals c = run(TopologySettings.defaults(), second, true);
        assertSameTable("aggregates vs batch at the default cut " + atDefaultCut.dataCut(), atDefaultCut.aggregates(), c.aggregates());
        assertSameTable("comparisons vs batch (default cut)", atDefaultCut.comparisons(), c.comparisons());
    }

    private static Finals run(TopologySettings settings, List<SpecificRecord> events, boolean letCutRepublish) {
        try (SpineTestDriver driver = new SpineTestDriver(settings, WALL_CLOCK)) {
            driver.pipeAll(events);
            if (letCutRepublish) driver.advanceWallClock(settings.cutRefresh());
            return new Finals(Map.copyOf(driver.outcomes.table()), Map.copyOf(driver.aggregates.table()),
                    Map.copyOf(driver.comparisons.table()), driver.readRejected().size());
        }
    }

    /** Equal maps, reporting the first differing key rather than two huge maps. */
    static void assertSameTable(String what, Map<String, ?> expected, Map<String, ?> actual) {
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        TreeSet<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail(what + ": keys differ; missing " + head(missing) + " (" + missing.size() + "), extra " + head(extra)
                    + " (" + extra.size() + ")");
        }
        for (String k : new TreeSet<>(expected.keySet())) {
            if (!AvroBytes.same((SpecificRecord) expected.get(k), (SpecificRecord) actual.get(k))) {
                fail(what + ": values differ at " + k + "\nexpected " + expected.get(k) + "\nactual   " + actual.get(k));
            }
        }
    }

    private static String head(TreeSet<String> keys) {
        return keys.stream().limit(5).toList().toString();
    }
}
