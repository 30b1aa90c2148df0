package org.spineoutcomes.stats;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Exact sufficient statistics of (x, y) pairs in one cell, e.g. (baseline pain, follow-up pain)
 * for the baseline-adjusted comparison (R32): n, Sx, Sy, Sxx, Syy, Sxy as raw (uncentred) exact
 * sums. Immutable; a group under plus/minus like {@link Moments}.
 */
public final class PairedMoments {
    public static final PairedMoments ZERO = new PairedMoments(0, BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

    private final long n;
    private final BigDecimal sumX;
    private final BigDecimal sumY;
    private final BigDecimal sumXX;
    private final BigDecimal sumYY;
    private final BigDecimal sumXY;

    private PairedMoments(long n, BigDecimal sumX, BigDecimal sumY, BigDecimal sumXX, BigDecimal sumYY, BigDecimal sumXY) {
        this.n = n;
        this.sumX = sumX;
        this.sumY = sumY;
        this.sumXX = sumXX;
        this.sumYY = sumYY;
        this.sumXY = sumXY;
    }

    public static PairedMoments of(long n, BigDecimal sumX, BigDecimal sumY, BigDecimal sumXX, BigDecimal sumYY, BigDecimal sumXY) {
        return new PairedMoments(n,
                Exact.canonical(Objects.requireNonNull(sumX, "sumX")),
                Exact.canonical(Objects.requireNonNull(sumY, "sumY")),
                Exact.canonical(Objects.requireNonNull(sumXX, "sumXX")),
                Exact.canonical(Objects.requireNonNull(sumYY, "sumYY")),
                Exact.canonical(Objects.requireNonNull(sumXY, "sumXY")));
    }

    /** Pairs given as {x0, y0, x1, y1, ...}. */
    public static PairedMoments ofPairs(double... xy) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("pairs need an even number of values, got " + xy.length);
        }
        PairedMoments p = ZERO;
        for (int i = 0; i < xy.length; i += 2) {
            p = p.plus(xy[i], xy[i + 1]);
        }
        return p;
    }

    public PairedMoments plus(double x, double y) {
        return step(x, y, 1);
    }

    public PairedMoments minus(double x, double y) {
        return step(x, y, -1);
    }

    private PairedMoments step(double x, double y, int sign) {
        BigDecimal bx = Exact.of(x);
        BigDecimal by = Exact.of(y);
        PairedMoments one = new PairedMoments(1, bx, by, Exact.square(bx), Exact.square(by), bx.multiply(by));
        return sign > 0 ? plus(one) : minus(one);
    }

    public PairedMoments plus(PairedMoments o) {
        return new PairedMoments(Math.addExact(n, o.n), Exact.add(sumX, o.sumX), Exact.add(sumY, o.sumY),
                Exact.add(sumXX, o.sumXX), Exact.add(sumYY, o.sumYY), Exact.add(sumXY, o.sumXY));
    }

    public PairedMoments minus(PairedMoments o) {
        return new PairedMoments(Math.subtractExact(n, o.n), Exact.subtract(sumX, o.sumX), Exact.subtract(sumY, o.sumY),
                Exact.subtract(sumXX, o.sumXX), Exact.subtract(sumYY, o.sumYY), Exact.subtract(sumXY, o.sumXY));
    }

    /** {@link #plus(PairedMoments)} without making the sums canonical (see {@code Moments.plusUncanonical}). */
    PairedMoments plusUncanonical(PairedMoments o) {
        return new PairedMoments(Math.addExact(n, o.n), sumX.add(o.sumX), sumY.add(o.sumY), sumXX.add(o.sumXX),
                sumYY.add(o.sumYY), sumXY.add(o.sumXY));
    }

    /** The same sums in canonical form. */
    PairedMoments canonical() {
        return of(n, sumX, sumY, sumXX, sumYY, sumXY);
    }

    public boolean isZero() {
        return n == 0 && sumX.signum() == 0 && sumY.signum() == 0 && sumXX.signum() == 0
                && sumYY.signum() == 0 && sumXY.signum() == 0;
    }

    public long n() { return n; }
    public BigDecimal sumX() { return sumX; }
    public BigDecimal sumY() { return sumY; }
    public BigDecimal sumXX() { return sumXX; }
    public BigDecimal sumYY() { return sumYY; }
    public BigDecimal sumXY() { return sumXY; }

    @Override
    public boolean equals(Object o) {
        return o instanceof PairedMoments p && n == p.n && sumX.equals(p.sumX) && sumY.equals(p.sumY)
                && sumXX.equals(p.sumXX) && sumYY.equals(p.sumYY) && sumXY.equals(p.sumXY);
    }

    @Override
    public int hashCode() {
        return Objects.hash(n, sumX, sumY, sumXX, sumYY, sumXY);
    }

    @Override
    public String toString() {
        return "PairedMoments[n=" + n + ", sumX=" + sumX.toPlainString() + ", sumY=" + sumY.toPlainString()
                + ", sumXX=" + sumXX.toPlainString() + ", sumYY=" + sumYY.toPlainString() + ", sumXY=" + sumXY.toPlainString() + "]";
    }
}
