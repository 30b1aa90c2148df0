package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random cohorts (the seed is in the display name) for the R36 and R37/R38 cells: a patient's
 * contribution added and later withdrawn, in any order and split over any number of partial cells, gives
 * the state (and bytes) of a recomputation from the patients that remain; and the derived values equal a
 * direct computation from the raw patient values written out in this test.
 */
class AdjustedCellsRandomizedTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 40);
    }

    static final String[] PATTERNS = {"P1", "P2", "P3", PatternContribution.UNCLASSIFIED};
    static final String[] MEASURES = {Measures.PAIN_RELIEF, Measures.ODI_CHANGE, Measures.MCID_2PT};

    static PatternContribution randomPatient(Random r) {
        Map<String, Double> values = new TreeMap<>();
        if (r.nextInt(5) != 0) values.put(Measures.PAIN_RELIEF, r.nextBoolean() ? r.nextInt(21) - 10 : (r.nextInt(1001) - r.nextInt(1001)) / 100.0);
        if (r.nextInt(3) != 0) values.put(Measures.ODI_CHANGE, (double) (r.nextInt(101) - r.nextInt(101)));
        if (r.nextInt(5) != 0) values.put(Measures.MCID_2PT, r.nextBoolean() ? 1.0 : 0.0);
        return new PatternContribution(PATTERNS[r.nextInt(PATTERNS.length)], values);
    }

    static SurvivalTime randomTime(Random r) {
        return new SurvivalTime(r.nextInt(4) == 0 ? 0 : r.nextInt(120), r.nextInt(3) == 0); // many ties, some on day 0
    }

    static <T> List<T> cohort(Random r, Function<Random, T> patient, int max) {
        int n = 1 + r.nextInt(max);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(patient.apply(r));
        return out;
    }

    // ------------------------------------------------------------ both kinds of cells

    /** The operations of a cell type C whose state is the sum of patient contributions P. */
    record CellOps<P, C>(Supplier<C> empty, BiConsumer<C, P> add, BiConsumer<C, P> subtract, BiConsumer<C, C> merge,
                         Function<C, byte[]> toBytes, Function<byte[], C> fromBytes, Function<Random, P> randomPatient) {
        C of(List<P> patients) {
            C cell = empty.get();
            patients.forEach(p -> add.accept(cell, p));
            return cell;
        }
    }

    static final CellOps<PatternContribution, PatternStatistics> PATTERN_CELL = new CellOps<>(PatternStatistics::new,
            PatternStatistics::add, PatternStatistics::subtract, PatternStatistics::merge, PatternStatistics::toBytes,
            PatternStatistics::fromBytes, AdjustedCellsRandomizedTest::randomPatient);

    static final CellOps<SurvivalTime, SurvivalCounts> SURVIVAL_CELL = new CellOps<>(SurvivalCounts::new,
            SurvivalCounts::add, SurvivalCounts::subtract, SurvivalCounts::merge, SurvivalCounts::toBytes,
            SurvivalCounts::fromBytes, AdjustedCellsRandomizedTest::randomTime);

    /**
     * Every patient added in a random order, a random subset subtracted (some of the subtractions before their
     * additions, so counts pass through negative values), one remaining patient corrected (old contribution out,
     * new one in): the state and its bytes equal a recomputation; partial cells over a random split merge to the
     * whole; the bytes read back to an equal state.
     */
    static <P, C> void assertIncrementalEqualsRecomputed(Random r, CellOps<P, C> ops, int maxPatients) {
        List<P> patients = cohort(r, ops.randomPatient(), maxPatients);
        List<P> leaving = new ArrayList<>(patients.subList(0, r.nextInt(patients.size() + 1)));
        Collections.shuffle(leaving, r);
        C live = ops.empty().get();
        int early = r.nextInt(leaving.size() + 1);
        leaving.subList(0, early).forEach(p -> ops.subtract().accept(live, p));
        List<P> shuffled = new ArrayList<>(patients);
        Collections.shuffle(shuffled, r);
        shuffled.forEach(p -> ops.add().accept(live, p));
        leaving.subList(early, leaving.size()).forEach(p -> ops.subtract().accept(live, p));
        List<P> remaining = new ArrayList<>(patients.subList(leaving.size(), patients.size()));
        if (!remaining.isEmpty()) {
            P corrected = ops.randomPatient().apply(r);
            ops.subtract().accept(live, remaining.get(0));
            ops.add().accept(live, corrected);
            remaining.set(0, corrected);
        }
        C recomputed = ops.of(remaining);
        assertEquals(recomputed, live);
        assertArrayEquals(ops.toBytes().apply(recomputed), ops.toBytes().apply(live));
        assertEquals(live, ops.fromBytes().apply(ops.toBytes().apply(live)));

        List<C> parts = new ArrayList<>();
        for (int i = 0; i < 1 + r.nextInt(4); i++) parts.add(ops.empty().get());
        for (P p : patients) ops.add().accept(parts.get(r.nextInt(parts.size())), p);
        Collections.shuffle(parts, r);
        C merged = ops.empty().get();
        parts.forEach(part -> ops.merge().accept(merged, part));
        assertEquals(ops.of(patients), merged);
        assertArrayEquals(ops.toBytes().apply(ops.of(patients)), ops.toBytes().apply(merged));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void patternCell_incrementalEqualsRecomputed(long seed) {
        assertIncrementalEqualsRecomputed(new Random(seed), PATTERN_CELL, 60);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void survivalCell_incrementalEqualsRecomputed(long seed) {
        assertIncrementalEqualsRecomputed(new Random(seed), SURVIVAL_CELL, 80);
    }

    // ------------------------------------------------------------ R36 estimate

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void standardisedDifference_equalsADirectComputationFromTheValues(long seed) {
        Random r = new Random(seed);
        List<PatternContribution> armA = cohort(r, AdjustedCellsRandomizedTest::randomPatient, 50);
        List<PatternContribution> armB = cohort(r, AdjustedCellsRandomizedTest::randomPatient, 50);
        for (String measure : MEASURES) {
            StandardisedEstimate e = Standardisation.compare(PatternStatistics.of(armA), PatternStatistics.of(armB), measure);
            // Direct: group the raw values by pattern, two-pass mean and variance, the R36 sums.
            Map<String, List<Double>> a = byPattern(armA, measure);
            Map<String, List<Double>> b = byPattern(armB, measure);
            double weighted = 0;
            double weightedVar = 0;
            long usable = 0;
            long usableA = 0;
            int patterns = 0;
            boolean constant = true;
            for (String s : a.keySet()) {
                List<Double> xa = a.get(s);
                List<Double> xb = b.get(s);
                if (s.equals(PatternContribution.UNCLASSIFIED) || xb == null || xa.size() < 2 || xb.size() < 2) continue;
                patterns++;
                usable += xa.size() + xb.size();
                usableA += xa.size();
                weighted += (xa.size() + xb.size()) * (mean(xa) - mean(xb));
                weightedVar += Math.pow(xa.size() + xb.size(), 2) * (var(xa) / xa.size() + var(xb) / xb.size());
                constant &= xa.stream().distinct().count() == 1 && xb.stream().distinct().count() == 1;
            }
            long nA = a.values().stream().mapToLong(List::size).sum();
            assertEquals(nA, e.n1());
            assertEquals(patterns, e.usablePatterns());
            assertEquals(usableA, e.usableN1());
            if (nA > 0) assertEquals((double) usableA / nA, e.share1().getAsDouble(), 1e-15);
            if (e.difference().isPresent()) {
                assertClose(weighted / usable, e.difference().getAsDouble());
                assertClose(weightedVar / ((double) usable * usable), e.variance().getAsDouble());
            } else {
                assertTrue(patterns == 0 || constant || e.n2() == 0, "absent only as the rule says: " + e);
            }
        }
    }

    static Map<String, List<Double>> byPattern(List<PatternContribution> arm, String measure) {
        Map<String, List<Double>> out = new TreeMap<>();
        for (PatternContribution p : arm) {
            Double v = p.values().get(measure);
            if (v != null) out.computeIfAbsent(p.pattern(), k -> new ArrayList<>()).add(v);
        }
        return out;
    }

    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).sum() / xs.size();
    }

    static double var(List<Double> xs) {
        double m = mean(xs);
        return xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (xs.size() - 1);
    }

    static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, 1e-9 * Math.max(1e-3, Math.abs(expected)));
    }

    // ------------------------------------------------------------ R37 / R38 estimates

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void kaplanMeierAndLogRank_equalADirectComputationFromTheTimes(long seed) {
        Random r = new Random(seed);
        List<SurvivalTime> a = cohort(r, AdjustedCellsRandomizedTest::randomTime, 60);
        List<SurvivalTime> b = cohort(r, AdjustedCellsRandomizedTest::randomTime, 60);
        KaplanMeierEstimate km = KaplanMeier.estimate(SurvivalCounts.of(a));
        for (SurvivalPoint p : km.reported()) {
            // Direct: S and G as products and sums over the distinct event days <= t, at risk counted from the list.
            double s = 1;
            double g = 0;
            for (int day : eventDays(a)) {
                if (day > p.day()) break;
                long n = a.stream().filter(t -> t.day() >= day).count();
                long d = a.stream().filter(t -> t.day() == day && t.event()).count();
                s *= 1 - (double) d / n;
                if (n > d) g += (double) d / (n * (n - d));
            }
            assertClose(s, p.survival());
            assertEquals(a.stream().filter(t -> t.day() >= p.day()).count(), p.atRisk());
            assertEquals(a.stream().filter(t -> t.day() <= p.day() && t.event()).count(), p.events());
            if (p.ciLower().isPresent()) {
                double se = Math.sqrt(g) / Math.abs(Math.log(s));
                assertClose(Math.pow(s, Math.exp(1.959963984540054 * se)), p.ciLower().getAsDouble());
                assertClose(Math.pow(s, Math.exp(-1.959963984540054 * se)), p.ciUpper().getAsDouble());
            } else {
                assertTrue(s == 1 || s == 0, "interval absent only for S = 1 or 0: " + p);
            }
        }
        LogRankEstimate lr = LogRank.compare(SurvivalCounts.of(a), SurvivalCounts.of(b));
        List<SurvivalTime> both = new ArrayList<>(a);
        both.addAll(b);
        double e = 0;
        double v = 0;
        for (int day : eventDays(both)) {
            long na = a.stream().filter(t -> t.day() >= day).count();
            long nb = b.stream().filter(t -> t.day() >= day).count();
            long n = na + nb;
            long d = both.stream().filter(t -> t.day() == day && t.event()).count();
            e += (double) d * na / n;
            if (n > 1) v += d * ((double) na / n) * (1 - (double) na / n) * (n - d) / (n - 1);
        }
        long observed = a.stream().filter(SurvivalTime::event).count();
        assertEquals(observed, lr.observed1());
        assertClose(e, lr.expected1());
        assertClose(v, lr.variance());
        if (lr.chiSquare().isPresent()) {
            assertClose((observed - e) * (observed - e) / v, lr.chiSquare().getAsDouble());
            assertClose(Math.exp((observed - e) / v), lr.hazardRatio().getAsDouble());
        }
    }

    static TreeSet<Integer> eventDays(List<SurvivalTime> times) {
        TreeSet<Integer> days = new TreeSet<>();
        for (SurvivalTime t : times) if (t.event()) days.add(t.day());
        return days;
    }
}
