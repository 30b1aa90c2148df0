package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Exact sufficient statistics of one measure in one cell: n, sum and sum of squares.
 * Immutable. The sums are exact decimals of the double inputs, so add, subtract and merge in any
 * order give identical (equals) results. Forms a group: n may pass through negative values when a
 * subtraction is applied before its addition; the final state is the same either way.
 */
public final class Moments {
    public static final Moments ZERO = new Moments(0, BigDecimal.ZERO, BigDecimal.ZERO);

    private final long n;
    private final BigDecimal sum;
    private final BigDecimal sumOfSquares;

    private Moments(long n, BigDecimal sum, BigDecimal sumOfSquares) {
        this.n = n;
        this.sum = sum;
        this.sumOfSquares = sumOfSquares;
    }

    /** Builds from stored sums (e.g. deserialisation); the sums are canonicalised. */
    public static Moments of(long n, BigDecimal sum, BigDecimal sumOfSquares) {
        return new Moments(n, Exact.canonical(Objects.requireNonNull(sum, "sum")),
                Exact.canonical(Objects.requireNonNull(sumOfSquares, "sumOfSquares")));
    }

    public static Moments ofValues(double... values) {
        Moments m = ZERO;
        for (double v : values) {
            m = m.plus(v);
        }
        return m;
    }

    public Moments plus(double x) {
        BigDecimal b = Exact.of(x);
        return new Moments(Math.addExact(n, 1), Exact.add(sum, b), Exact.add(sumOfSquares, Exact.square(b)));
    }

    public Moments minus(double x) {
        BigDecimal b = Exact.of(x);
        return new Moments(Math.subtractExact(n, 1), Exact.subtract(sum, b), Exact.subtract(sumOfSquares, Exact.square(b)));
    }

    public Moments plus(Moments o) {
        return new Moments(Math.addExact(n, o.n), Exact.add(sum, o.sum), Exact.add(sumOfSquares, o.sumOfSquares));
    }

    public Moments minus(Moments o) {
        return new Moments(Math.subtractExact(n, o.n), Exact.subtract(sum, o.sum), Exact.subtract(sumOfSquares, o.sumOfSquares));
    }

    /**
     * {@link #plus(Moments)} without making the sums canonical: a fold of many changes strips trailing zeros
     * once at its end ({@link #canonical()}) instead of at every addition. Not for {@code equals} until then.
     */
    Moments plusUncanonical(Moments o) {
        return new Moments(Math.addExact(n, o.n), sum.add(o.sum), sumOfSquares.add(o.sumOfSquares));
    }

    /** The same sums in canonical form (see {@link #plusUncanonical}). */
    Moments canonical() {
        return new Moments(n, Exact.canonical(sum), Exact.canonical(sumOfSquares));
    }

    /** True for the neutral element (nothing added, or everything added was subtracted again). */
    public boolean isZero() {
        return n == 0 && sum.signum() == 0 && sumOfSquares.signum() == 0;
    }

    public long n() { return n; }
    public BigDecimal sum() { return sum; }
    public BigDecimal sumOfSquares() { return sumOfSquares; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Moments m && n == m.n && sum.equals(m.sum) && sumOfSquares.equals(m.sumOfSquares);
    }

    @Override
    public int hashCode() {
        return Objects.hash(n, sum, sumOfSquares);
    }

    @Override
    public String toString() {
        return "Moments[n=" + n + ", sum=" + sum.toPlainString() + ", sumOfSquares=" + sumOfSquares.toPlainString() + "]";
    }
}
