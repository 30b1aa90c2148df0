package org.spineoutcomes.topology;

import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The data cut (R2): a configured instant, else the largest occurred-at among valid events seen so
 * far across ALL input partitions. Each patient task publishes its own partition's maximum to
 * spine.data-cut.v1; every instance reads them all through a global store and takes the max.
 */
public final class DataCut {
    private DataCut() {}

    /** The current cut from the global store (max over partitions), or the configured one. */
    public static Optional<Instant> current(ReadOnlyKeyValueStore<String, Long> store, Instant configured) {
        if (configured != null) return Optional.of(configured);
        long max = Long.MIN_VALUE;
        try (KeyValueIterator<String, Long> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value != null && kv.value > max) max = kv.value;
            }
        }
        return max == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(max));
    }

    /** Keeps, per partition key, the largest value seen (the topic is compacted; values only grow). */
    public static final class GlobalUpdater implements Processor<String, Long, Void, Void> {
        private final String storeName;
        private KeyValueStore<String, Long> store;

        public GlobalUpdater(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, Long> record) {
            if (record.key() == null || record.value() == null) return;
            Long old = store.get(record.key());
            if (old == null || record.value() > old) store.put(record.key(), record.value());
        }
    }
}
