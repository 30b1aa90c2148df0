package org.spineoutcomes.stats;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exact sufficient statistics of one arm's standardisation cell (R36): per measure and covariate pattern
 * (unclassified patients under {@link PatternContribution#UNCLASSIFIED}), the {@link Moments} of the
 * patients' values. Two arms' cells give the standardised difference ({@link Standardisation}).
 *
 * <p>Mutable like {@link CellStatistics}: {@link #add}, {@link #subtract} and {@link #merge} change this
 * object and return it. The sums are exact, so every order of adds, subtracts and merges that nets to the
 * same multiset of contributions gives an {@code equals} state and identical {@link #toBytes()}; entries
 * whose sums return to zero are removed. Counts may pass through negative values when a subtraction
 * arrives before its addition ({@link #hasNoNegativeCounts()} says when a state is publishable).
 */
public final class PatternStatistics {

    private static final byte FORMAT_VERSION = 1;

    /** measure -> pattern -> moments; no empty inner map, no zero moments. */
    private final TreeMap<String, TreeMap<String, Moments>> measures = new TreeMap<>();

    public PatternStatistics() {}

    /** Batch computation: the sum of the given contributions, one per patient. */
    public static PatternStatistics of(Iterable<PatternContribution> contributions) {
        PatternStatistics s = new PatternStatistics();
        for (PatternContribution c : contributions) {
            s.add(c);
        }
        return s;
    }

    public PatternStatistics copy() {
        return new PatternStatistics().merge(this);
    }

    /** Adds one patient's contribution. */
    public PatternStatistics add(PatternContribution c) {
        Objects.requireNonNull(c, "contribution");
        c.values().forEach((measure, v) -> update(measure, c.pattern(), Moments.ZERO.plus(v)));
        return this;
    }

    /** Removes a contribution added before (the patient's previous state). */
    public PatternStatistics subtract(PatternContribution c) {
        Objects.requireNonNull(c, "contribution");
        c.values().forEach((measure, v) -> update(measure, c.pattern(), Moments.ZERO.minus(v)));
        return this;
    }

    /** Adds every sum of {@code other} to this cell ({@code other} is unchanged). */
    public PatternStatistics merge(PatternStatistics other) {
        other.measures.forEach((measure, patterns) -> patterns.forEach((pattern, m) -> update(measure, pattern, m)));
        return this;
    }

    private void update(String measure, String pattern, Moments delta) {
        TreeMap<String, Moments> patterns = measures.computeIfAbsent(measure, k -> new TreeMap<>());
        Moments now = patterns.getOrDefault(pattern, Moments.ZERO).plus(delta);
        if (now.isZero()) {
            patterns.remove(pattern);
            if (patterns.isEmpty()) measures.remove(measure);
        } else {
            patterns.put(pattern, now);
        }
    }

    /** Nothing left: no measure has a value (the cell is deleted, R30). */
    public boolean isEmpty() {
        return measures.isEmpty();
    }

    /** True when no count is negative, i.e. no subtraction is still waiting for its addition. */
    public boolean hasNoNegativeCounts() {
        return measures.values().stream().flatMap(p -> p.values().stream()).allMatch(m -> m.n() >= 0);
    }

    /** The measures with at least one value, sorted. */
    public NavigableMap<String, NavigableMap<String, Moments>> byMeasure() {
        TreeMap<String, NavigableMap<String, Moments>> view = new TreeMap<>();
        measures.forEach((m, p) -> view.put(m, Collections.unmodifiableNavigableMap(p)));
        return Collections.unmodifiableNavigableMap(view);
    }

    /** Moments per pattern of one measure (unclassified patients under UNCLASSIFIED); empty when none. */
    public NavigableMap<String, Moments> patterns(String measure) {
        TreeMap<String, Moments> p = measures.get(measure);
        return p == null ? Collections.emptyNavigableMap() : Collections.unmodifiableNavigableMap(p);
    }

    /** All patients with a value of the measure, unclassified included: the crude (unstandardised) sums. */
    public Moments total(String measure) {
        Moments sum = Moments.ZERO;
        for (Moments m : patterns(measure).values()) {
            sum = sum.plus(m);
        }
        return sum;
    }

    // ---- serialisation: compact, exact, deterministic (sorted maps, canonical decimals) ----

    /** Binary form for state stores: version byte, then per measure its patterns' moments. Equal states give equal bytes. */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer();
        w.u8(FORMAT_VERSION);
        w.varLong(measures.size());
        measures.forEach((measure, patterns) -> {
            w.string(measure);
            w.varLong(patterns.size());
            patterns.forEach((pattern, m) -> {
                w.string(pattern);
                w.moments(m);
            });
        });
        return w.toByteArray();
    }

    public static PatternStatistics fromBytes(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader("PatternStatistics", Objects.requireNonNull(bytes, "bytes"));
        r.version(FORMAT_VERSION);
        PatternStatistics s = new PatternStatistics();
        long measureCount = r.count("measure");
        for (long i = 0; i < measureCount; i++) {
            String measure = r.string();
            long patternCount = r.count("pattern");
            for (long j = 0; j < patternCount; j++) {
                String pattern = r.string();
                s.update(measure, pattern, r.moments());
            }
        }
        r.end();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatternStatistics p && measures.equals(p.measures);
    }

    @Override
    public int hashCode() {
        return measures.hashCode();
    }

    @Override
    public String toString() {
        return "PatternStatistics" + measures;
    }
}
