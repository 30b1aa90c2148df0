package org.spineoutcomes.stats;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Remembers the results of a pure function of a few whole numbers whose set of inputs recurs (Wilson bounds
 * by (n, x), square roots of counts): every publication asks for them again, and the same small counts come
 * up in cell after cell, so the map soon holds what is asked and stops changing.
 *
 * <p>Not for results keyed by exact sums (a mean, Welch, ANCOVA, Newcombe): those rarely recur while input
 * flows, and a map of them turned over live only filled the old generation (measured in session 14; the
 * README's Performance design). Bounded: cleared when full. Shared by all threads; values must be
 * immutable. A computation that throws is not remembered.
 */
final class PureCache<K, V> {
    private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();
    private final int limit;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    PureCache(int limit) {
        this.limit = limit;
    }

    V get(K key, Function<K, V> compute) {
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
}
