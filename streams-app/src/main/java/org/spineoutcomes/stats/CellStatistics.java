package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BinaryOperator;

/**
 * Exact sufficient statistics of one cell (R29): the patient count, per-measure {@link Moments},
 * per-flag {@link Proportion}s, per-pair-measure {@link PairedMoments} and completeness counts.
 *
 * <p>Mutable: {@link #add}, {@link #subtract} and {@link #merge} change this object and return it,
 * which suits a Kafka Streams aggregator. All arithmetic is exact, so any order of adds, subtracts
 * and merges that nets to the same multiset of contributions gives an {@code equals} state, and
 * {@link #toBytes()} gives identical bytes. Entries whose counts return to zero are removed.
 * Counts may pass through negative values if a subtraction arrives before its addition; the
 * {@code aggregate} mappers refuse to publish such a state.
 */
public final class CellStatistics {

    private static final byte FORMAT_VERSION = 1;

    private long patients;
    private final TreeMap<String, Moments> moments = new TreeMap<>();
    private final TreeMap<String, Proportion> proportions = new TreeMap<>();
    private final TreeMap<String, PairedMoments> paired = new TreeMap<>();
    private final CompletenessCounts completeness = new CompletenessCounts();

    public CellStatistics() {}

    public static CellStatistics empty() {
        return new CellStatistics();
    }

    /** Batch computation: the sum of the given contributions, one per patient. */
    public static CellStatistics of(Iterable<Contribution> contributions) {
        CellStatistics s = new CellStatistics();
        for (Contribution c : contributions) {
            s.add(c);
        }
        return s;
    }

    public CellStatistics copy() {
        CellStatistics c = new CellStatistics();
        c.patients = patients;
        c.moments.putAll(moments);
        c.proportions.putAll(proportions);
        c.paired.putAll(paired);
        c.completeness.merge(completeness);
        return c;
    }

    /** Adds one patient's contribution to this cell. */
    public CellStatistics add(Contribution c) {
        return apply(c, true);
    }

    /** Removes a contribution previously added (the patient's previous state). */
    public CellStatistics subtract(Contribution c) {
        return apply(c, false);
    }

    private CellStatistics apply(Contribution c, boolean add) {
        Objects.requireNonNull(c, "contribution");
        patients = add ? Math.addExact(patients, 1) : Math.subtractExact(patients, 1);
        c.values().forEach((measure, vs) -> {
            Moments m = moments.getOrDefault(measure, Moments.ZERO);
            for (double v : vs) {
                m = add ? m.plus(v) : m.minus(v);
            }
            putOrRemove(moments, measure, m, m.isZero());
        });
        c.flags().forEach((flag, fs) -> {
            Proportion p = proportions.getOrDefault(flag, Proportion.ZERO);
            for (boolean f : fs) {
                p = add ? p.plus(f) : p.minus(f);
            }
            putOrRemove(proportions, flag, p, p.isZero());
        });
        c.pairs().forEach((measure, xys) -> {
            PairedMoments pm = paired.getOrDefault(measure, PairedMoments.ZERO);
            for (double[] xy : xys) {
                pm = add ? pm.plus(xy[0], xy[1]) : pm.minus(xy[0], xy[1]);
            }
            putOrRemove(paired, measure, pm, pm.isZero());
        });
        if (c.windowLastDate() != null) {
            if (add) {
                completeness.add(c.windowLastDate(), c.assessed());
            } else {
                completeness.subtract(c.windowLastDate(), c.assessed());
            }
        }
        return this;
    }

    /**
     * Adds completeness counts for one window end date directly (a store that keeps completeness
     * apart from the other sums rebuilds the cell's view with this before publishing).
     */
    public CellStatistics addCompleteness(LocalDate windowLastDate, long patients, long assessed) {
        completeness.apply(windowLastDate, patients, assessed);
        return this;
    }

    /** Adds completeness counts kept apart (the stream's per-date store) back into this cell's view. */
    public CellStatistics addCompleteness(CompletenessCounts counts) {
        completeness.merge(counts);
        return this;
    }

    /** Adds every count and sum of {@code other} except its completeness counts (kept apart by the stream). */
    public CellStatistics mergeWithoutCompleteness(CellStatistics other) {
        return mergeSums(other, Moments::plus, PairedMoments::plus);
    }

    /** The completeness counts per window end date (read-only view). */
    public java.util.NavigableMap<LocalDate, CompletenessCounts.DueCounts> completenessByDate() {
        return completeness.byWindowLastDate();
    }

    /** Adds every count and sum of {@code other} to this cell (other is unchanged). */
    public CellStatistics merge(CellStatistics other) {
        mergeSums(other, Moments::plus, PairedMoments::plus);
        completeness.merge(other.completeness);
        return this;
    }

    /**
     * {@link #merge} for a fold of many changes into one object: the exact sums are added without stripping
     * their trailing zeros (stripping them was an eighth of the patient step's fold). The state is not
     * canonical until {@link #canonicalise()}: call it before comparing, reading the sums or serialising.
     */
    public CellStatistics mergeUncanonical(CellStatistics other) {
        mergeSums(other, Moments::plusUncanonical, PairedMoments::plusUncanonical);
        completeness.merge(other.completeness);
        return this;
    }

    /** Adds the patient count and every sum except the completeness counts, with the given additions of exact sums. */
    private CellStatistics mergeSums(CellStatistics other, BinaryOperator<Moments> plusMoments, BinaryOperator<PairedMoments> plusPaired) {
        patients = Math.addExact(patients, other.patients);
        mergeInto(moments, other.moments, plusMoments, Moments::isZero);
        mergeInto(proportions, other.proportions, Proportion::plus, Proportion::isZero);
        mergeInto(paired, other.paired, plusPaired, PairedMoments::isZero);
        return this;
    }

    /** Makes every exact sum canonical again after {@link #mergeUncanonical} (the same values; equal states, equal bytes). */
    public CellStatistics canonicalise() {
        moments.replaceAll((k, m) -> m.canonical());
        paired.replaceAll((k, p) -> p.canonical());
        return this;
    }

    private static <V> void mergeInto(TreeMap<String, V> into, Map<String, V> from, BinaryOperator<V> plus,
                                      java.util.function.Predicate<V> isZero) {
        // One lookup per entry (TreeMap.merge), not a get and a put: a netted change is merged into every
        // stratum and population cell of its window. A sum that nets to zero is removed (merge drops a null).
        // The remapping function is made once per call, not once per entry (one object per entry before).
        java.util.function.BiFunction<V, V, V> plusOrDrop = (old, change) -> {
            V now = plus.apply(old, change);
            return isZero.test(now) ? null : now;
        };
        from.forEach((k, v) -> into.merge(k, v, plusOrDrop));
    }

    private static <V> void putOrRemove(TreeMap<String, V> map, String key, V value, boolean zero) {
        if (zero) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /** No patient and nothing left: the cell is deleted (R30). */
    public boolean isEmpty() {
        return patients == 0 && moments.isEmpty() && proportions.isEmpty() && paired.isEmpty() && completeness.isEmpty();
    }

    /** True when no count is negative, i.e. no subtraction is still waiting for its addition. */
    public boolean hasNoNegativeCounts() {
        return patients >= 0
                && moments.values().stream().allMatch(m -> m.n() >= 0)
                && proportions.values().stream().allMatch(p -> p.n() >= 0 && p.successes() >= 0 && p.successes() <= p.n())
                && paired.values().stream().allMatch(p -> p.n() >= 0)
                && completeness.isConsistent();
    }

    /** This cell's completeness counts (read them only; they change with this cell). */
    public CompletenessCounts completeness() {
        return completeness;
    }

    public long patients() { return patients; }

    /** Read-only, sorted by measure name. */
    public NavigableMap<String, Moments> moments() { return Collections.unmodifiableNavigableMap(moments); }

    /** Read-only, sorted by flag name. */
    public NavigableMap<String, Proportion> proportions() { return Collections.unmodifiableNavigableMap(proportions); }

    /** Read-only, sorted by pair-measure name. */
    public NavigableMap<String, PairedMoments> paired() { return Collections.unmodifiableNavigableMap(paired); }

    /** Read-only view of the completeness counts by window last date. */
    public NavigableMap<LocalDate, CompletenessCounts.DueCounts> completenessCounts() {
        return completeness.byWindowLastDate();
    }

    /** True when some contribution carried a window last date (score windows). */
    public boolean hasCompleteness() {
        return !completeness.isEmpty();
    }

    /** Completeness at a data cut (R2, R33). */
    public CompletenessEstimate completenessAt(Instant dataCut) {
        return completeness.at(dataCut);
    }

    // ---- serialisation: compact, exact, deterministic (sorted maps, canonical decimals) ----

    /**
     * Binary form for state stores: version byte, then zig-zag varints, length-prefixed UTF-8
     * names and BigDecimals as (scale, unscaled two's-complement bytes). Equal states give equal bytes.
     */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer();
        w.u8(FORMAT_VERSION);
        w.varLong(patients);
        w.varLong(moments.size());
        moments.forEach((k, m) -> {
            w.string(k);
            w.moments(m);
        });
        w.varLong(proportions.size());
        proportions.forEach((k, p) -> {
            w.string(k);
            w.varLong(p.n());
            w.varLong(p.successes());
        });
        w.varLong(paired.size());
        paired.forEach((k, p) -> {
            w.string(k);
            w.varLong(p.n());
            for (BigDecimal b : List.of(p.sumX(), p.sumY(), p.sumXX(), p.sumYY(), p.sumXY())) {
                w.decimal(b);
            }
        });
        w.varLong(completeness.dates());
        long[] previousDay = {0};
        completeness.forEachDate((date, patients, assessed) -> {
            long day = date.toEpochDay();
            w.varLong(day - previousDay[0]); // ascending dates: small deltas
            previousDay[0] = day;
            w.varLong(patients);
            w.varLong(assessed);
        });
        return w.toByteArray();
    }

    public static CellStatistics fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        CompactBytes.Reader r = new CompactBytes.Reader("CellStatistics", bytes);
        r.version(FORMAT_VERSION);
        CellStatistics s = new CellStatistics();
        s.patients = r.varLong();
        long count = r.count("moments");
        for (long i = 0; i < count; i++) {
            String k = r.string();
            s.moments.put(k, r.moments());
        }
        count = r.count("proportions");
        for (long i = 0; i < count; i++) {
            String k = r.string();
            s.proportions.put(k, new Proportion(r.varLong(), r.varLong()));
        }
        count = r.count("paired");
        for (long i = 0; i < count; i++) {
            String k = r.string();
            s.paired.put(k, PairedMoments.of(r.varLong(), r.decimal(), r.decimal(), r.decimal(), r.decimal(), r.decimal()));
        }
        count = r.count("completeness");
        long day = 0;
        for (long i = 0; i < count; i++) {
            day += r.varLong();
            s.completeness.apply(LocalDate.ofEpochDay(day), r.varLong(), r.varLong());
        }
        r.end();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CellStatistics c && patients == c.patients && moments.equals(c.moments)
                && proportions.equals(c.proportions) && paired.equals(c.paired) && completeness.equals(c.completeness);
    }

    @Override
    public int hashCode() {
        return Objects.hash(patients, moments, proportions, paired, completeness);
    }

    @Override
    public String toString() {
        return "CellStatistics[patients=" + patients + ", moments=" + moments + ", proportions=" + proportions
                + ", paired=" + paired + ", completeness=" + completeness + "]";
    }
}
