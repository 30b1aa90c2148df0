package org.spineoutcomes.stats;

/**
 * Counts of one flag in one cell (R31): n = units where the flag is defined, successes = units
 * where it is true. Immutable; a group under plus/minus like {@link Moments}.
 */
public record Proportion(long n, long successes) {
    public static final Proportion ZERO = new Proportion(0, 0);

    public Proportion plus(boolean success) {
        return new Proportion(Math.addExact(n, 1), success ? Math.addExact(successes, 1) : successes);
    }

    public Proportion minus(boolean success) {
        return new Proportion(Math.subtractExact(n, 1), success ? Math.subtractExact(successes, 1) : successes);
    }

    public Proportion plus(Proportion o) {
        return new Proportion(Math.addExact(n, o.n), Math.addExact(successes, o.successes));
    }

    public Proportion minus(Proportion o) {
        return new Proportion(Math.subtractExact(n, o.n), Math.subtractExact(successes, o.successes));
    }

    public boolean isZero() {
        return n == 0 && successes == 0;
    }
}
