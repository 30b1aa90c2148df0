package org.spineoutcomes.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random cohorts (the seed is in the test's display name; rerun one with that seed).
 * Properties: exact add/subtract inverses, merge associative and commutative, incremental equals
 * batch, serialisation exact, and derived values equal a direct two-pass computation from the raw values.
 */
class CellStatisticsRandomizedTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 50);
    }

    static final String[] MEASURES = {Measures.PAIN, Measures.PERCENT_RELIEF, Measures.EQ5D_CHANGE, Measures.HEIGHT_GAIN_ANTERIOR_MM};
    static final String[] FLAGS = {Measures.MCID_2PT, Measures.LOW_PAIN};
    static final LocalDate FIRST_DATE = LocalDate.of(2023, 1, 1);

    static double randomValue(Random r, String measure) {
        return switch (measure) {
            case Measures.PAIN -> r.nextInt(11);                           // integer NRS
            case Measures.PERCENT_RELIEF -> (r.nextInt(11) - r.nextInt(11)) * 100.0 / (1 + r.nextInt(10));
            case Measures.EQ5D_CHANGE -> r.nextDouble() * 2 - 1;           // arbitrary binary fractions
            default -> Math.round(r.nextGaussian() * 40) / 10.0;           // tenths of a mm
        };
    }

    static Contribution randomContribution(Random r) {
        Contribution.Builder b = Contribution.builder();
        for (String m : MEASURES) {
            if (r.nextInt(4) == 0) continue; // absent for this patient
            int units = m.equals(Measures.HEIGHT_GAIN_ANTERIOR_MM) ? 1 + r.nextInt(3) : 1;
            for (int i = 0; i < units; i++) b.value(m, randomValue(r, m));
        }
        for (String f : FLAGS) {
            if (r.nextInt(5) != 0) b.flag(f, r.nextBoolean());
        }
        if (r.nextInt(5) != 0) b.pair(Measures.PAIN_PAIR, r.nextInt(11), r.nextInt(11));
        if (r.nextInt(6) != 0) b.completeness(FIRST_DATE.plusDays(r.nextInt(60)), r.nextBoolean());
        return b.build();
    }

    static List<Contribution> cohort(Random r, int min, int max) {
        int n = min + r.nextInt(max - min + 1);
        List<Contribution> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(randomContribution(r));
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void addingThenSubtractingAnySubsetRestoresTheExactState(long seed) {
        Random r = new Random(seed);
        List<Contribution> base = cohort(r, 1, 30);
        CellStatistics start = CellStatistics.of(base);
        byte[] startBytes = start.toBytes();

        CellStatistics s = start.copy();
        List<Contribution> extra = cohort(r, 1, 30);
        for (Contribution c : extra) s.add(c);
        Collections.shuffle(extra, r);
        for (Contribution c : extra) s.subtract(c);
        assertEquals(start, s);
        assertArrayEquals(startBytes, s.toBytes());

        // subtract a random subset of the patients already there, then add them back in another order
        List<Contribution> subset = new ArrayList<>(base.subList(0, r.nextInt(base.size() + 1)));
        for (Contribution c : subset) s.subtract(c);
        Collections.shuffle(subset, r);
        for (Contribution c : subset) s.add(c);
        assertEquals(start, s);

        // everything subtracted: the empty cell
        for (Contribution c : base) s.subtract(c);
        assertTrue(s.isEmpty(), "empty after removing every patient: " + s);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void updatesInAnyOrderEqualTheBatchOfFinalContributions(long seed) {
        Random r = new Random(seed);
        List<Contribution> first = cohort(r, 1, 25);
        List<Contribution> last = new ArrayList<>();
        // per patient: an old contribution replaced by a new one, as the topology does
        List<Runnable> ops = new ArrayList<>();
        CellStatistics incremental = CellStatistics.empty();
        for (Contribution old : first) {
            Contribution now = r.nextInt(4) == 0 ? old : randomContribution(r);
            last.add(now);
            ops.add(() -> incremental.add(old));
            ops.add(() -> incremental.subtract(old));
            ops.add(() -> incremental.add(now));
        }
        Collections.shuffle(ops, r); // subtractions may even come before their additions
        ops.forEach(Runnable::run);
        assertEquals(CellStatistics.of(last), incremental);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mergeIsAssociativeAndCommutative(long seed) {
        Random r = new Random(seed);
        List<Contribution> a = cohort(r, 0, 15);
        List<Contribution> b = cohort(r, 0, 15);
        List<Contribution> c = cohort(r, 0, 15);
        CellStatistics sa = CellStatistics.of(a);
        CellStatistics sb = CellStatistics.of(b);
        CellStatistics sc = CellStatistics.of(c);

        CellStatistics leftFirst = sa.copy().merge(sb).merge(sc);           // (a + b) + c
        CellStatistics rightFirst = sa.copy().merge(sb.copy().merge(sc));    // a + (b + c)
        CellStatistics reversed = sc.copy().merge(sb).merge(sa);             // c + b + a
        List<Contribution> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        Collections.shuffle(all, r);
        CellStatistics batch = CellStatistics.of(all);

        assertEquals(batch, leftFirst);
        assertEquals(batch, rightFirst);
        assertEquals(batch, reversed);
        assertEquals(batch.hashCode(), reversed.hashCode());
        assertEquals(sa, CellStatistics.of(a), "merge must not change its argument");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void serialisationRoundTripIsExact(long seed) {
        CellStatistics s = CellStatistics.of(cohort(new Random(seed), 0, 40));
        byte[] bytes = s.toBytes();
        CellStatistics back = CellStatistics.fromBytes(bytes);
        assertEquals(s, back);
        assertArrayEquals(bytes, back.toBytes());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void derivedValuesEqualADirectTwoPassComputation(long seed) {
        Random r = new Random(seed);
        List<Contribution> first = cohort(r, 1, 40);
        List<Contribution> second = cohort(r, 1, 40);
        CellStatistics s1 = CellStatistics.of(first);
        CellStatistics s2 = CellStatistics.of(second);
        for (String m : MEASURES) {
            double[] x = raw(first, m);
            double[] y = raw(second, m);
            if (x.length >= 1) checkMean(x, Inference.mean(s1.moments().get(m)), m);
            if (x.length >= 2 && y.length >= 2) checkWelch(x, y, Inference.welch(s1.moments().get(m), s2.moments().get(m)), m);
        }
        double[][] pairs1 = rawPairs(first);
        double[][] pairs2 = rawPairs(second);
        if (pairs1.length >= 1 && pairs2.length >= 1 && pairs1.length + pairs2.length >= 4) {
            checkAncova(pairs1, pairs2, Inference.ancova(s1.paired().get(Measures.PAIN_PAIR), s2.paired().get(Measures.PAIN_PAIR)));
        }
        for (String f : FLAGS) {
            long[] p = flagCounts(first, f);
            if (p[0] >= 1) {
                ProportionEstimate e = Inference.wilson(s1.proportions().get(f));
                // Wilson in the textbook p form, in doubles
                double n = p[0];
                double ph = p[1] / n;
                double z = 1.959963984540054;
                double d = 1 + z * z / n;
                double centre = (ph + z * z / (2 * n)) / d;
                double half = z / d * Math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n));
                near(centre - half, e.wilsonLower().getAsDouble(), 1, f + " wilson lower");
                near(centre + half, e.wilsonUpper().getAsDouble(), 1, f + " wilson upper");
            }
        }
    }

    static double[] raw(List<Contribution> cs, String measure) {
        return cs.stream().flatMap(c -> c.values().getOrDefault(measure, List.of()).stream()).mapToDouble(Double::doubleValue).toArray();
    }

    static double[][] rawPairs(List<Contribution> cs) {
        return cs.stream().flatMap(c -> c.pairs().getOrDefault(Measures.PAIN_PAIR, List.of()).stream()).toArray(double[][]::new);
    }

    /** ANCOVA the long way: arm means, centred sums (second pass), residuals of the fitted lines (third pass). */
    static void checkAncova(double[][] a, double[][] b, AncovaEstimate e) {
        double[] ma = means(a);
        double[] mb = means(b);
        double sxx = 0;
        double sxy = 0;
        for (double[] p : a) { sxx += (p[0] - ma[0]) * (p[0] - ma[0]); sxy += (p[0] - ma[0]) * (p[1] - ma[1]); }
        for (double[] p : b) { sxx += (p[0] - mb[0]) * (p[0] - mb[0]); sxy += (p[0] - mb[0]) * (p[1] - mb[1]); }
        if (sxx == 0) {
            assertEquals(java.util.Optional.of(AbsentReason.SXX_ZERO), e.absentReason());
            return;
        }
        double beta = sxy / sxx;
        double rss = 0;
        for (double[] p : a) { double r = p[1] - ma[1] - beta * (p[0] - ma[0]); rss += r * r; }
        for (double[] p : b) { double r = p[1] - mb[1] - beta * (p[0] - mb[0]); rss += r * r; }
        int df = a.length + b.length - 3;
        double dx = ma[0] - mb[0];
        double delta = (ma[1] - mb[1]) - beta * dx;
        double se = Math.sqrt(rss / df * (1.0 / a.length + 1.0 / b.length + dx * dx / sxx));
        assertEquals(df, e.df().getAsLong());
        near(beta, e.slope().getAsDouble(), 1, "slope");
        near(delta, e.adjustedDifference().getAsDouble(), 10, "delta");
        near(se, e.se().getAsDouble(), 10, "ancova se");
        double half = StudentT.quantile975(df) * se;
        near(delta - half, e.ciLower().getAsDouble(), 10, "ancova ciLower");
        near(delta + half, e.ciUpper().getAsDouble(), 10, "ancova ciUpper");
    }

    static double[] means(double[][] ps) {
        double x = 0;
        double y = 0;
        for (double[] p : ps) { x += p[0]; y += p[1]; }
        return new double[] {x / ps.length, y / ps.length};
    }

    static long[] flagCounts(List<Contribution> cs, String flag) {
        long n = 0;
        long k = 0;
        for (Contribution c : cs) {
            for (boolean b : c.flags().getOrDefault(flag, List.of())) {
                n++;
                if (b) k++;
            }
        }
        return new long[] {n, k};
    }

    /** 1e-12 relative, with an absolute floor of 1e-12 x the data's scale for values that are (near) zero. */
    static void near(double expected, double actual, double scale, String what) {
        double tol = 1e-12 * Math.max(Math.abs(expected), scale);
        assertEquals(expected, actual, tol, what);
    }

    static double scale(double[] xs) {
        double s = 1e-300;
        for (double x : xs) s = Math.max(s, Math.abs(x));
        return s;
    }

    static void checkMean(double[] x, MeanEstimate e, String m) {
        int n = x.length;
        double mean = 0;
        for (double v : x) mean += v;
        mean /= n;
        near(mean, e.mean().getAsDouble(), scale(x), m + " mean");
        if (n < 2) return;
        double ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean); // second pass: centred sum of squares
        double sd = Math.sqrt(ss / (n - 1));
        near(sd, e.sd().getAsDouble(), scale(x), m + " sd");
        double half = StudentT.quantile975(n - 1) * sd / Math.sqrt(n);
        near(mean - half, e.ciLower().getAsDouble(), scale(x), m + " ciLower");
        near(mean + half, e.ciUpper().getAsDouble(), scale(x), m + " ciUpper");
    }

    static void checkWelch(double[] x, double[] y, WelchEstimate e, String m) {
        double mx = 0;
        for (double v : x) mx += v;
        mx /= x.length;
        double my = 0;
        for (double v : y) my += v;
        my /= y.length;
        double sx = 0;
        for (double v : x) sx += (v - mx) * (v - mx);
        double sy = 0;
        for (double v : y) sy += (v - my) * (v - my);
        double a = sx / (x.length - 1) / x.length;
        double b = sy / (y.length - 1) / y.length;
        double dataScale = Math.max(scale(x), scale(y));
        near(mx - my, e.meanDifference().getAsDouble(), dataScale, m + " difference");
        if (a + b == 0) return;
        double se = Math.sqrt(a + b);
        near(se, e.se().getAsDouble(), dataScale, m + " se");
        double df = (a + b) * (a + b) / (a * a / (x.length - 1) + b * b / (y.length - 1));
        near(df, e.df().getAsDouble(), 1, m + " df");
        double half = StudentT.quantile975(df) * se;
        near(mx - my - half, e.ciLower().getAsDouble(), dataScale, m + " ciLower");
        near(mx - my + half, e.ciUpper().getAsDouble(), dataScale, m + " ciUpper");
    }
}
