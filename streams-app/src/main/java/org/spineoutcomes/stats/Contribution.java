package org.spineoutcomes.stats;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one patient adds to one cell. Aggregates are sums of contributions, so a patient's old
 * contribution can be subtracted and the new one added (docs/architecture.md, topology principles).
 *
 * <ul>
 *   <li>{@code values}: measure name (see {@link Measures}) to the unit values it contributes.
 *       Usually one value per patient; imaging outcomes in the POST window contribute one value
 *       per index level (the unit is the treated level, R29).</li>
 *   <li>{@code flags}: flag name to its outcomes, only where the flag is defined (R31); one per
 *       patient, or one per index level for per-level rates.</li>
 *   <li>{@code pairs}: (x = baseline, y = follow-up) pairs for the baseline-adjusted comparison (R32).</li>
 *   <li>{@code windowLastDate}/{@code assessed}: for completeness at a data cut (R33): the window
 *       has elapsed at a cut whose UTC date is after windowLastDate; null outside score windows.</li>
 * </ul>
 */
public final class Contribution {

    private final Map<String, List<Double>> values;
    private final Map<String, List<Boolean>> flags;
    private final Map<String, List<double[]>> pairs;
    private final LocalDate windowLastDate;
    private final boolean assessed;

    private Contribution(Builder b) {
        this.values = freeze(b.values);
        this.flags = freeze(b.flags);
        this.pairs = freeze(b.pairs);
        this.windowLastDate = b.windowLastDate;
        this.assessed = b.assessed;
    }

    private static <T> Map<String, List<T>> freeze(Map<String, List<T>> m) {
        Map<String, List<T>> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    public Map<String, List<Double>> values() { return values; }
    public Map<String, List<Boolean>> flags() { return flags; }
    public Map<String, List<double[]>> pairs() { return pairs; }
    public LocalDate windowLastDate() { return windowLastDate; }
    public boolean assessed() { return assessed; }

    public static Builder builder() { return new Builder(); }

    /**
     * The part of this contribution that differs from {@code other}: every measure, flag and pair list
     * that is not equal in both, and the completeness part only if it differs. Subtracting
     * {@code old.onlyWhereDifferentFrom(new)} and adding {@code new.onlyWhereDifferentFrom(old)} changes a
     * cell exactly as subtracting {@code old} and adding {@code new} would (the patient count nets to
     * zero either way), with less exact arithmetic when a patient update changes a few measures only.
     */
    public Contribution onlyWhereDifferentFrom(Contribution other) {
        Builder b = builder();
        values.forEach((k, vs) -> { if (!vs.equals(other.values.get(k))) vs.forEach(v -> b.value(k, v)); });
        flags.forEach((k, fs) -> { if (!fs.equals(other.flags.get(k))) fs.forEach(f -> b.flag(k, f)); });
        pairs.forEach((k, xys) -> { if (!samePairs(xys, other.pairs.get(k))) xys.forEach(xy -> b.pair(k, xy[0], xy[1])); });
        if (windowLastDate != null && !(windowLastDate.equals(other.windowLastDate) && assessed == other.assessed)) {
            b.completeness(windowLastDate, assessed);
        }
        return b.build();
    }

    private static boolean samePairs(List<double[]> a, List<double[]> b) {
        if (b == null || a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!java.util.Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    /** Deep equality (pairs compared element-wise): the topology emits a delta only for cells whose contribution changed. */
    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Contribution c)) return false;
        if (assessed != c.assessed || !Objects.equals(windowLastDate, c.windowLastDate)
                || !values.equals(c.values) || !flags.equals(c.flags) || !pairs.keySet().equals(c.pairs.keySet())) {
            return false;
        }
        for (Map.Entry<String, List<double[]>> e : pairs.entrySet()) {
            List<double[]> a = e.getValue();
            List<double[]> b = c.pairs.get(e.getKey());
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) {
                if (!java.util.Arrays.equals(a.get(i), b.get(i))) return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(values, flags, windowLastDate, assessed);
        for (Map.Entry<String, List<double[]>> e : pairs.entrySet()) {
            h = 31 * h + e.getKey().hashCode();
            for (double[] xy : e.getValue()) h = 31 * h + java.util.Arrays.hashCode(xy);
        }
        return h;
    }

    public static final class Builder {
        private final Map<String, List<Double>> values = new TreeMap<>();
        private final Map<String, List<Boolean>> flags = new TreeMap<>();
        private final Map<String, List<double[]>> pairs = new TreeMap<>();
        private LocalDate windowLastDate;
        private boolean assessed;

        public Builder value(String measure, double v) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException(measure + " is not finite: " + v);
            values.computeIfAbsent(measure, k -> new ArrayList<>()).add(v);
            return this;
        }

        public Builder flag(String flag, boolean v) {
            flags.computeIfAbsent(flag, k -> new ArrayList<>()).add(v);
            return this;
        }

        public Builder pair(String measure, double x, double y) {
            pairs.computeIfAbsent(measure, k -> new ArrayList<>()).add(new double[] {x, y});
            return this;
        }

        public Builder completeness(LocalDate windowLastDate, boolean assessed) {
            this.windowLastDate = Objects.requireNonNull(windowLastDate);
            this.assessed = assessed;
            return this;
        }

        public Contribution build() { return new Contribution(this); }
    }
}
