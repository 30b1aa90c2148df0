package org.spineoutcomes.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where the stream threads spent a phase, from Kafka Streams' own thread metrics: the share of time in
 * processing, punctuation, polling and committing, the number of commits and punctuations, and how long
 * the longest commit took. Taken as a snapshot at the start and end of a phase, so totals become deltas;
 * the ratios and maxima are Kafka Streams' windowed values (the last 30 to 60 s), which cover a phase
 * of that length.
 */
final class StreamThreadTime {

    private static final String GROUP = "stream-thread-metrics";

    /** Per thread id: metric name to value. */
    private final Map<String, Map<String, Double>> threads;

    private StreamThreadTime(Map<String, Map<String, Double>> threads) {
        this.threads = threads;
    }

    static StreamThreadTime sample(List<KafkaStreams> apps) {
        Map<String, Map<String, Double>> threads = new TreeMap<>();
        for (KafkaStreams app : apps) {
            for (Map.Entry<MetricName, ? extends Metric> e : app.metrics().entrySet()) {
                MetricName n = e.getKey();
                if (!GROUP.equals(n.group()) || !(e.getValue().metricValue() instanceof Number v)) continue;
                String thread = n.tags().getOrDefault("thread-id", "?");
                threads.computeIfAbsent(thread, t -> new TreeMap<>()).put(n.name(), v.doubleValue());
            }
        }
        return new StreamThreadTime(threads);
    }

    /** The mean over threads of a windowed metric at this sample (NaN when absent). */
    double mean(String metric) {
        return threads.values().stream().map(m -> m.get(metric)).filter(v -> v != null && !v.isNaN())
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The largest value over threads of a windowed metric (NaN when absent). */
    double max(String metric) {
        return threads.values().stream().map(m -> m.get(metric)).filter(v -> v != null && !v.isNaN())
                .mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** The increase of a cumulative metric summed over threads since {@code before}. */
    double sumSince(StreamThreadTime before, String metric) {
        double sum = 0;
        for (Map.Entry<String, Map<String, Double>> t : threads.entrySet()) {
            Double now = t.getValue().get(metric);
            if (now == null) continue;
            Map<String, Double> earlier = before.threads.get(t.getKey());
            Double then = earlier == null ? null : earlier.get(metric);
            sum += now - (then == null ? 0 : then);
        }
        return sum;
    }

    /** One line per thread: the share of each activity and the slowest commit and punctuation. */
    String describe() {
        StringBuilder b = new StringBuilder();
        threads.forEach((thread, m) -> b.append(String.format(Locale.ROOT,
                "  %s: process %.0f%%, punctuate %.0f%%, poll %.0f%%, commit %.0f%%; commit avg %.0f ms, max %.0f ms;"
                        + " punctuate max %.0f ms; poll max %.0f ms%n",
                shortName(thread), 100 * m.getOrDefault("process-ratio", Double.NaN), 100 * m.getOrDefault("punctuate-ratio", Double.NaN),
                100 * m.getOrDefault("poll-ratio", Double.NaN), 100 * m.getOrDefault("commit-ratio", Double.NaN),
                m.getOrDefault("commit-latency-avg", Double.NaN), m.getOrDefault("commit-latency-max", Double.NaN),
                m.getOrDefault("punctuate-latency-max", Double.NaN), m.getOrDefault("poll-latency-max", Double.NaN))));
        return b.toString();
    }

    private static String shortName(String threadId) {
        int i = threadId.indexOf("StreamThread-");
        // The cell stage's threads (split app) carry its application id, which ends in "-cells".
        String stage = threadId.contains(org.spineoutcomes.topology.HandOnTopics.CELL_STAGE_SUFFIX + "-") ? "cell stage " : "";
        return i < 0 ? threadId : stage + threadId.substring(i);
    }
}
