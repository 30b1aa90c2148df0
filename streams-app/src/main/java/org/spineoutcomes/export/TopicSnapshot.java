package org.spineoutcomes.export;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * What a compacted topic holds, read once: every partition from its beginning to the end offset
 * it had when the read started (with {@code isolation.level=read_committed} that is the last stable
 * offset, so records of an open transaction are not waited for), the last value per key, a null
 * value (tombstone) deleting its key, the way compaction would leave the topic. Partitions are
 * assigned, no consumer group is joined and no offset is committed.
 */
final class TopicSnapshot {

    /** The live keys in key order (String natural order) with their last value bytes, and the number of records read. */
    record Snapshot(String topic, TreeMap<String, byte[]> values, long records) {}

    /** Thrown for a topic that cannot be read (absent, broker not answering, no progress). */
    static final class ReadException extends RuntimeException {
        ReadException(String message) {
            super(message);
        }
    }

    private final Consumer<String, byte[]> consumer;
    private final Duration timeout;
    private final PrintStream progress;

    /**
     * @param consumer a consumer with String keys, byte[] values, read_committed and no group id
     * @param timeout  how long a metadata request or a read without progress may take
     * @param progress where the progress line goes (stderr), or null for none
     */
    TopicSnapshot(Consumer<String, byte[]> consumer, Duration timeout, PrintStream progress) {
        this.consumer = consumer;
        this.timeout = timeout;
        this.progress = progress;
    }

    /** The partitions of a topic; throws {@link ReadException} when the topic does not exist. */
    List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new ReadException("topic " + topic + " does not exist on this cluster: is this the cluster the pipeline writes to?");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    Snapshot read(String topic) {
        List<TopicPartition> parts = partitions(topic);
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
        long total = 0;
        for (TopicPartition tp : parts) total += end.get(tp) - begin.get(tp);

        TreeMap<String, byte[]> values = new TreeMap<>();
        Map<TopicPartition, Long> positions = new HashMap<>(begin);
        long records = 0;
        long started = System.nanoTime();
        long lastProgress = started;
        long lastPrint = started;
        boolean printed = false;
        long done = 0;
        while (done < total) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                records++;
                if (r.key() == null) continue; // not written by the pipeline; nothing to key it by
                if (r.value() == null) values.remove(r.key());
                else values.put(r.key(), r.value());
            }
            long now = System.nanoTime();
            long newDone = 0;
            for (TopicPartition tp : parts) {
                long p = Math.min(consumer.position(tp, timeout), end.get(tp));
                positions.put(tp, p);
                newDone += p - begin.get(tp);
            }
            if (newDone > done) lastProgress = now;
            done = newDone;
            if (done < total && now - lastProgress > timeout.toNanos()) {
                throw new ReadException("reading " + topic + " made no progress for " + timeout.toSeconds() + " s at " + done
                        + " of " + total + " offsets (positions " + positions + ", end offsets " + end + ")");
            }
            if (progress != null && now - started > 2_000_000_000L && now - lastPrint > 1_000_000_000L) {
                progress.print("\rreading " + topic + ": " + done + " / " + total + " records");
                progress.flush();
                printed = true;
                lastPrint = now;
            }
        }
        if (printed) progress.println("\rreading " + topic + ": " + done + " / " + total + " records, " + values.size() + " keys");
        consumer.unsubscribe();
        return new Snapshot(topic, values, records);
    }
}
