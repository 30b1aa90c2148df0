package org.spineoutcomes.topology;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store layer that keeps values as Java objects: writes stay in memory until Kafka Streams
 * flushes the task's stores right before a commit ({@link #flushCache()}), then each written key goes
 * to the store below (and its changelog) once, serialised once; reads are served from the written
 * values and from a bounded LRU of recently read ones without deserialising.
 *
 * <p>Why: a busy cell or a patient with several events between two commits was deserialised and
 * re-serialised on every update, the largest cost of the stream after the statistics. Kafka's own
 * record cache coalesces changelog writes the same way but keeps values as bytes. The flush happens
 * inside the commit, before the producer is flushed and the transaction committed, so exactly-once
 * holds exactly as with Kafka's cache (the same mechanism); a dirty close drops the unflushed values
 * ({@link #clearCache()}) and the task restores from its changelog.
 *
 * <p>Callers must not mutate a value they got without putting it back (copy first): the object may
 * be the cached one. Range reads flush first, then read the store below. Safe for interactive queries
 * from other threads (concurrent maps), which see the latest written values.
 */
final class ObjectCachingStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {

    /** Marks a delete among the written values (concurrent maps take no nulls). */
    private static final Object DELETED = new Object();

    private final Map<K, Object> written = new ConcurrentHashMap<>();
    /**
     * Keys read as absent from the store below since the last flush: a key written and deleted again
     * before the flush (a pending batch handed on within the commit interval) then costs no tombstone.
     */
    private final java.util.Set<K> absentBelow = ConcurrentHashMap.newKeySet();
    /**
     * Changes at the start and the end of every write-through: a read from another thread (interactive
     * queries) that overlapped one may have seen the store below half-written, so it records nothing.
     */
    private final java.util.concurrent.atomic.AtomicLong writeThroughs = new java.util.concurrent.atomic.AtomicLong();
    private final Map<K, V> recentlyRead;
    /**
     * False when built with a bound of 0: values are then not kept after a write-through or a read (a store read
     * only by scans, or one whose values its processor keeps itself).
     */
    private final boolean keepsRecentlyRead;

    ObjectCachingStore(KeyValueStore<K, V> inner, int maxRecentlyRead) {
        super(inner);
        this.keepsRecentlyRead = maxRecentlyRead > 0;
        this.recentlyRead = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxRecentlyRead;
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(K key) {
        Object w = written.get(key);
        if (w != null) return w == DELETED ? null : (V) w;
        V v = recentlyRead.get(key);
        if (v != null) return v;
        long generation = writeThroughs.get();
        v = wrapped().get(key);
        if (v != null) {
            if (keepsRecentlyRead) recentlyRead.put(key, v);
        } else {
            synchronized (absentBelow) {
                if (generation == writeThroughs.get()) absentBelow.add(key);
            }
        }
        return v;
    }

    @Override
    public void put(K key, V value) {
        recentlyRead.remove(key);
        written.put(key, value == null ? DELETED : value);
        if (prefixScanned) {
            if (key instanceof String text) writtenText.add(text);
            else writtenNotText = true;
        }
    }

    /**
     * A put of a key the caller knows is not in the store below (its processor mirrors the store's keys): the same as
     * {@link #get} returning null and then {@link #put}, without reading the store below. A key written since the
     * last write-through is not marked (the store below may hold it; the write-through then decides as usual).
     */
    void putAbsentBelow(K key, V value) {
        if (!written.containsKey(key)) {
            synchronized (absentBelow) {
                absentBelow.add(key);
            }
        }
        put(key, value);
    }

    /** The object-caching layer under a store handed out by Kafka Streams (its decorators are wrapped stores), or null. */
    @SuppressWarnings("unchecked")
    static <K, V> ObjectCachingStore<K, V> under(org.apache.kafka.streams.processor.StateStore store) {
        for (org.apache.kafka.streams.processor.StateStore s = store; s != null; ) {
            if (s instanceof ObjectCachingStore<?, ?> found) return (ObjectCachingStore<K, V>) found;
            s = s instanceof WrappedStateStore<?, ?, ?> w ? w.wrapped() : null;
        }
        return null;
    }

    /**
     * Written text keys in order, kept once the store was prefix-scanned: a scan whose prefix no written key
     * starts with reads the store below as it is, without writing everything through first. Reading a
     * patient's events (a prefix scan) wrote the whole cache through on every read, and so every event's
     * entry reached the changelog at once instead of once per commit: in a replay in recorded order, where
     * most reads miss the patient step's own cache, that was a sixth of the patient step's time.
     */
    private final java.util.concurrent.ConcurrentSkipListSet<String> writtenText = new java.util.concurrent.ConcurrentSkipListSet<>();
    private volatile boolean prefixScanned;
    /** A key that is not text was written since the last write-through: every scan writes through first. */
    private volatile boolean writtenNotText;

    /** True when no key written since the last write-through starts with {@code prefix}. */
    private boolean noWrittenKeyStartsWith(Object prefix) {
        if (!prefixScanned || writtenNotText || !(prefix instanceof String p)) return false;
        String next = writtenText.ceiling(p);
        return next == null || !next.startsWith(p);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = get(key);
        if (old == null) put(key, value);
        return old;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        for (KeyValue<K, V> e : entries) put(e.key, e.value);
    }

    @Override
    public V delete(K key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeThrough();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeThrough();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeThrough();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeThrough();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        if (!noWrittenKeyStartsWith(prefix)) {
            writeThrough();
            prefixScanned = true;
        }
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries() + written.size();
    }

    /** Called by Kafka Streams before every commit: the written values go down (and to the changelog) now. */
    @Override
    public void flushCache() {
        writeThrough();
        super.flushCache();
    }

    /** Called on a dirty close: whatever was not flushed is dropped; the changelog is the truth. */
    @Override
    public void clearCache() {
        written.clear();
        clearWrittenIndex();
        absentBelow.clear();
        recentlyRead.clear();
        super.clearCache();
    }

    @Override
    public void close() {
        written.clear();
        clearWrittenIndex();
        absentBelow.clear();
        recentlyRead.clear();
        super.close();
    }

    @SuppressWarnings("unchecked")
    private void writeThrough() {
        if (written.isEmpty()) {
            absentBelow.clear();
            return;
        }
        synchronized (absentBelow) {
            writeThroughs.incrementAndGet();
        }
        for (Map.Entry<K, Object> e : written.entrySet()) {
            if (e.getValue() == DELETED) {
                // Never below: nothing to delete there, and no tombstone for the changelog.
                if (!absentBelow.contains(e.getKey())) wrapped().delete(e.getKey());
            } else {
                wrapped().put(e.getKey(), (V) e.getValue());
                if (keepsRecentlyRead) recentlyRead.put(e.getKey(), (V) e.getValue());
            }
        }
        written.clear();
        clearWrittenIndex();
        synchronized (absentBelow) {
            absentBelow.clear();
            writeThroughs.incrementAndGet();
        }
    }

    private void clearWrittenIndex() {
        writtenText.clear();
        writtenNotText = false;
    }

    /** A builder of the usual store with this layer on top. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner, int maxRecentlyRead) {
        return new StoreBuilder<>() {
            @Override public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() { inner.withCachingEnabled(); return this; }
            @Override public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() { inner.withCachingDisabled(); return this; }
            @Override public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) { inner.withLoggingEnabled(config); return this; }
            @Override public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() { inner.withLoggingDisabled(); return this; }
            @Override public KeyValueStore<K, V> build() { return new ObjectCachingStore<>(inner.build(), maxRecentlyRead); }
            @Override public Map<String, String> logConfig() { return inner.logConfig(); }
            @Override public boolean loggingEnabled() { return inner.loggingEnabled(); }
            @Override public String name() { return inner.name(); }
        };
    }
}
