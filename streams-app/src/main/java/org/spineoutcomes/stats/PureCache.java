package org.spineoutcomes.stats;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Remembers the results of a pure function of exact values (equal inputs give identical outputs), so a
 * derived statistic asked again with the same sums is not recomputed. A cell is published every second
 * while it changes, with its comparisons, and most of its measures and flags have the same sums as in the
 * last round; with 34-digit arithmetic each of them costs tens of microseconds.
 *
 * <p>Bounded: cleared when full (the values then come back as they are asked for). Shared by all threads;
 * the values must be immutable. A computation that throws is not remembered. With the system property
 * {@code spine.stats.remember=false} only the caches made with {@link #always} remember (the micro-benchmarks
 * of the arithmetic use it).
 */
final class PureCache<K, V> {
    private static final boolean ENABLED = !"false".equals(System.getProperty("spine.stats.remember"));

    private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();
    private final int limit;
    private final boolean enabled;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    PureCache(int limit) {
        this(limit, ENABLED);
    }

    private PureCache(int limit, boolean enabled) {
        this.limit = limit;
        this.enabled = enabled;
    }

    /** A cache that remembers even with {@code spine.stats.remember=false} (square roots of counts, Wilson bounds). */
    static <K, V> PureCache<K, V> always(int limit) {
        return new PureCache<>(limit, true);
    }

    V get(K key, Function<K, V> compute) {
        if (!enabled) return compute.apply(key);
        V known = values.get(key);
        if (known != null) {
            hits.increment();
            return known;
        }
        misses.increment();
        V value = compute.apply(key);
        if (values.size() >= limit) values.clear();
        values.put(key, value);
        return value;
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    int size() {
        return values.size();
    }

    /** A key of two values (for two-arm statistics: first, second). */
    record Pair<A, B>(A first, B second) {}
}
