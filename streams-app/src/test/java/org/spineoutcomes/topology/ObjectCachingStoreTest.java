package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The object cache in front of a store: what reaches the store below (and so its changelog) at a
 * flush. The store below records every put and delete it receives.
 */
class ObjectCachingStoreTest {

    /** A store below that keeps a map and a log of the writes it received. */
    private static final class Below {
        final Map<String, String> data = new HashMap<>();
        final List<String> writes = new ArrayList<>();
        final List<String> reads = new ArrayList<>();

        @SuppressWarnings("unchecked")
        KeyValueStore<String, String> store() {
            return (KeyValueStore<String, String>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "get" -> {
                            reads.add((String) args[0]);
                            yield data.get((String) args[0]);
                        }
                        case "put" -> {
                            writes.add("put " + args[0] + "=" + args[1]);
                            data.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "delete" -> {
                            writes.add("delete " + args[0]);
                            yield data.remove((String) args[0]);
                        }
                        case "prefixScan" -> {
                            String prefix = (String) args[0];
                            reads.add("scan " + prefix);
                            java.util.Iterator<Map.Entry<String, String>> it = new java.util.TreeMap<>(data).tailMap(prefix).entrySet().stream()
                                    .takeWhile(e -> e.getKey().startsWith(prefix)).toList().iterator();
                            yield new org.apache.kafka.streams.state.KeyValueIterator<String, String>() {
                                @Override public boolean hasNext() { return it.hasNext(); }
                                @Override public org.apache.kafka.streams.KeyValue<String, String> next() {
                                    Map.Entry<String, String> e = it.next();
                                    return org.apache.kafka.streams.KeyValue.pair(e.getKey(), e.getValue());
                                }
                                @Override public String peekNextKey() { throw new UnsupportedOperationException(); }
                                @Override public void close() {}
                            };
                        }
                        case "name" -> "below";
                        case "flush", "close", "init" -> null;
                        case "persistent" -> false;
                        case "isOpen" -> true;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void aKeyAddedAndRemovedBetweenTwoFlushesNeverReachesTheStoreBelow() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        assertNull(cache.get("ITT/M1"));
        cache.put("ITT/M1", "batch-1");
        cache.put("ITT/M1", "batch-2");
        cache.delete("ITT/M1");
        cache.flushCache();
        assertEquals(List.of(), below.writes, "no put and no tombstone for a key that was never below");
    }

    @Test
    void aKeyThatIsBelowIsDeletedThere() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        cache.put("ITT/M1", "batch-1");
        cache.flushCache();
        assertEquals("batch-1", cache.delete("ITT/M1"));
        cache.flushCache();
        assertEquals(List.of("put ITT/M1=batch-1", "delete ITT/M1"), below.writes);
        assertNull(below.data.get("ITT/M1"));
    }

    @Test
    void anAbsentReadBeforeTheLastFlushDoesNotHideALaterDelete() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        assertNull(cache.get("k"));          // absent below now ...
        cache.put("k", "v");
        cache.flushCache();                  // ... but below after this flush
        cache.delete("k");
        cache.flushCache();
        assertEquals(List.of("put k=v", "delete k"), below.writes);
    }

    @Test
    void aKeyPutAsAbsentBelowIsNotReadThereAndItsPutAndDeleteWriteNothing() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        cache.putAbsentBelow("patient-1", "t1");
        assertEquals("t1", cache.get("patient-1"));
        cache.delete("patient-1");
        cache.flushCache();
        assertEquals(List.of(), below.reads, "the caller knew the key was not below");
        assertEquals(List.of(), below.writes);
    }

    @Test
    void aKeyDeletedButNotYetFlushedIsNotTakenAsAbsentBelow() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        cache.put("patient-1", "t1");
        cache.flushCache();                      // below now
        cache.delete("patient-1");               // still below until the next flush
        cache.putAbsentBelow("patient-1", "t2"); // so this must not mark it absent
        cache.delete("patient-1");
        cache.flushCache();
        assertEquals(List.of("put patient-1=t1", "delete patient-1"), below.writes);
        assertNull(below.data.get("patient-1"));
    }

    @Test
    void theCacheIsFoundUnderTheStoreKafkaStreamsHandsToAProcessor() {
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        builder.addStateStore(ObjectCachingStore.builder(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("waits"),
                org.apache.kafka.common.serialization.Serdes.String(), org.apache.kafka.common.serialization.Serdes.Long()), 0));
        List<String> seen = new ArrayList<>();
        builder.stream("in", org.apache.kafka.streams.kstream.Consumed.with(org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.String()))
                .process(() -> new org.apache.kafka.streams.processor.api.Processor<String, String, Void, Void>() {
                    private org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context;
                    @Override public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> c) { context = c; }
                    @Override public void process(org.apache.kafka.streams.processor.api.Record<String, String> r) {
                        org.apache.kafka.streams.processor.StateStore handed = context.getStateStore("waits");
                        seen.add(handed.getClass().getSimpleName() + " -> " + (ObjectCachingStore.under(handed) == null ? "none" : "cache"));
                    }
                }, "waits");
        java.util.Properties props = new java.util.Properties();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "under-test");
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (org.apache.kafka.streams.TopologyTestDriver driver = new org.apache.kafka.streams.TopologyTestDriver(builder.build(), props)) {
            driver.createInputTopic("in", new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.StringSerializer()).pipeInput("k", "v");
        }
        // Kafka Streams hands out a read-write decorator, not the store itself; the cache is found beneath it.
        assertEquals(List.of("KeyValueStoreReadWriteDecorator -> cache"), seen);
    }

    @Test
    void repeatedWritesOfAKeyReachTheStoreBelowOncePerFlush() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 10);
        for (int i = 1; i <= 5; i++) cache.put("cell", "v" + i);
        assertEquals("v5", cache.get("cell"));
        cache.flushCache();
        assertEquals(List.of("put cell=v5"), below.writes);
    }

    @Test
    void writtenValuesStayReadableWithoutTheStoreBelowUnlessTheStoreKeepsNone() {
        Below kept = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(kept.store(), 10);
        cache.put("p1", "state-1");
        cache.flushCache();
        assertEquals("state-1", cache.get("p1"));
        assertEquals(List.of(), kept.reads, "served from the recently-read values");

        // A store read only by scans keeps none: after the write-through a point read goes below.
        Below scanned = new Below();
        ObjectCachingStore<String, String> none = new ObjectCachingStore<>(scanned.store(), 0);
        none.put("p1#e1", "event-1");
        assertEquals("event-1", none.get("p1#e1"), "before the flush the written value is served");
        none.flushCache();
        assertEquals(List.of("put p1#e1=event-1"), scanned.writes);
        assertEquals(List.of(), scanned.reads);
        assertEquals("event-1", none.get("p1#e1"));
        assertEquals(List.of("p1#e1"), scanned.reads, "nothing kept after the write-through");
        assertEquals("event-1", none.get("p1#e1"));
        assertEquals(List.of("p1#e1", "p1#e1"), scanned.reads, "nor after a read");
    }

    private static List<String> scan(ObjectCachingStore<String, String> cache, String prefix) {
        List<String> values = new ArrayList<>();
        try (var it = cache.prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) values.add(it.next().value);
        }
        return values;
    }

    /**
     * A prefix scan writes the cache through only when a key written since the last write-through starts with its
     * prefix: scanning another patient's events leaves this commit's writes in the cache (one changelog record per
     * key and commit), and a scan of a patient written to still sees its newest values.
     */
    @Test
    void aPrefixScanWritesThroughOnlyWhenAWrittenKeyHasItsPrefix() {
        Below below = new Below();
        ObjectCachingStore<String, String> cache = new ObjectCachingStore<>(below.store(), 0);
        below.data.put("p1#e1", "event-1");
        assertEquals(List.of("event-1"), scan(cache, "p1#"));
        cache.put("p2#e1", "event-2");
        cache.put("p2#e1", "event-2b");
        assertEquals(List.of("event-1"), scan(cache, "p1#"));
        assertEquals(List.of(), scan(cache, "p3#"));
        assertEquals(List.of(), below.writes, "p2's entry still only in the cache");
        assertEquals(List.of("event-2b"), scan(cache, "p2#"), "a written key with the prefix: written through, then read");
        assertEquals(List.of("put p2#e1=event-2b"), below.writes);
        cache.put("p1#e2", "event-3");
        cache.delete("p1#e1");
        assertEquals(List.of("event-3"), scan(cache, "p1#"));
        cache.flushCache();
        assertEquals(3, below.writes.size());
        assertEquals(java.util.Set.of("put p2#e1=event-2b", "put p1#e2=event-3", "delete p1#e1"), java.util.Set.copyOf(below.writes));
    }
}
