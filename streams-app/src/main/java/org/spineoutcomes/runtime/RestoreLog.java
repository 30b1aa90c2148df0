package org.spineoutcomes.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Counts what Kafka Streams restores from the changelog topics, so that the runtime can say it in one
 * line when the app is RUNNING again ("restored 212,345 changelog records into 24 store partitions in
 * 6.2 s"): restoring is most of a restart's time when local state is missing or was wiped (under
 * exactly-once Kafka Streams 4.3 wipes a task's state after a crash), and little when it was kept.
 * Called from Kafka Streams' restoring threads; {@link #takeSummary()} from the state listener.
 */
final class RestoreLog implements StateRestoreListener {
    private final LongAdder records = new LongAdder();
    /** Records restored per store name since the last summary. */
    private final ConcurrentHashMap<String, LongAdder> byStore = new ConcurrentHashMap<>();
    private final AtomicInteger partitions = new AtomicInteger();
    /** System.nanoTime() of the first restore start since the last summary (0: none). */
    private final AtomicLong firstStartNanos = new AtomicLong();
    private final AtomicLong lastEndNanos = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        partitions.incrementAndGet();
        firstStartNanos.compareAndSet(0, System.nanoTime());
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        records.add(numRestored);
        byStore.computeIfAbsent(storeName, k -> new LongAdder()).add(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        lastEndNanos.set(System.nanoTime());
    }

    /** What was restored since the last summary, and starts counting again; empty when nothing was. */
    Optional<String> takeSummary() {
        int stores = partitions.getAndSet(0);
        long restored = records.sumThenReset();
        long start = firstStartNanos.getAndSet(0);
        long end = lastEndNanos.getAndSet(0);
        Map.Entry<String, Long> most = null;
        for (Map.Entry<String, LongAdder> e : byStore.entrySet()) {
            long n = e.getValue().sumThenReset();
            if (n > 0 && (most == null || n > most.getValue())) most = Map.entry(e.getKey(), n);
        }
        if (stores == 0) {
            return Optional.empty();
        }
        double seconds = start == 0 || end < start ? 0 : (end - start) / 1e9;
        return Optional.of(String.format(Locale.ROOT, "restored %,d changelog records into %d store partitions in %.1f s%s",
                restored, stores, seconds, most == null ? "" : String.format(Locale.ROOT, " (most into %s: %,d)", most.getKey(), most.getValue())));
    }
}
