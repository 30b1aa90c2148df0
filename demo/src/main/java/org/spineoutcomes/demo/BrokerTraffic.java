package org.spineoutcomes.demo;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What the topology made the broker write, by kind of topic: records, bytes and produce requests, read from
 * the embedded broker's own per-topic counters (its {@code BrokerTopicMetrics} in the platform MBean server,
 * which the broker shares with the app here). The broker's CPU follows these counts, so they say which
 * writes a change would have to remove to make the broker cheaper.
 */
final class BrokerTraffic {

    /** Kinds of topic, in report order, with the prefix of their JSON keys. */
    static final Map<String, String> KINDS = kinds();
    static final String CHANGELOGS = "state changelogs";
    static final String OUTPUTS = "output topics";
    static final String HAND_ON = "hand-on and repartition topics";
    static final String INTERNAL = "transactions and offsets";
    static final String OTHER = "other topics";

    private final Map<String, long[]> byTopic;

    private BrokerTraffic(Map<String, long[]> byTopic) {
        this.byTopic = byTopic;
    }

    private static Map<String, String> kinds() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put(CHANGELOGS, "brokerChangelog");
        k.put(OUTPUTS, "brokerOutput");
        k.put(HAND_ON, "brokerHandOn");
        k.put(INTERNAL, "brokerInternal");
        k.put(OTHER, "brokerOther");
        return k;
    }

    /** The counters now: per topic {records in, bytes in, produce requests}. Empty when the broker has none. */
    static BrokerTraffic sample() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, long[]> byTopic = new TreeMap<>();
        String[] names = {"MessagesInPerSec", "BytesInPerSec", "TotalProduceRequestsPerSec"};
        for (int i = 0; i < names.length; i++) {
            try {
                Set<ObjectName> found = server.queryNames(new ObjectName("kafka.server:type=BrokerTopicMetrics,name=" + names[i] + ",topic=*"), null);
                for (ObjectName n : found) {
                    Object count = server.getAttribute(n, "Count");
                    byTopic.computeIfAbsent(n.getKeyProperty("topic"), t -> new long[3])[i] = ((Number) count).longValue();
                }
            } catch (Exception e) {
                // A broker without these metrics (another version): the report says n/a.
            }
        }
        return new BrokerTraffic(byTopic);
    }

    /** Counters as given (tests): per topic {records in, bytes in, produce requests}. */
    static BrokerTraffic of(Map<String, long[]> byTopic) {
        return new BrokerTraffic(new TreeMap<>(byTopic));
    }

    /** Per kind of topic, {records, bytes, produce requests} written since {@code start}. */
    Map<String, long[]> since(BrokerTraffic start) {
        Map<String, long[]> byKind = new LinkedHashMap<>();
        KINDS.keySet().forEach(k -> byKind.put(k, new long[3]));
        byTopic.keySet().forEach(topic -> {
            long[] written = writtenSince(start, topic);
            long[] sum = byKind.get(kindOf(topic));
            for (int i = 0; i < 3; i++) sum[i] += written[i];
        });
        return byKind;
    }

    /** One topic's {records, bytes, produce requests} since {@code start} (a topic new since then counts whole). */
    private long[] writtenSince(BrokerTraffic start, String topic) {
        long[] now = byTopic.get(topic);
        long[] before = start.byTopic.getOrDefault(topic, new long[3]);
        return new long[] {now[0] - before[0], now[1] - before[1], now[2] - before[2]};
    }

    /** The topics that took the most records since {@code start}, as "topic records" pairs (a status line, for diagnosis). */
    String busiestTopics(BrokerTraffic start, int n) {
        return byTopic.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), writtenSince(start, e.getKey())[0]))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(n)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * The broker's requests so far by type (its {@code RequestMetrics} RequestsPerSec counters, all versions
     * summed); empty when the broker has none. A broker's CPU goes per request more than per record.
     */
    static Map<String, Long> requestCounts() {
        Map<String, Long> counts = new TreeMap<>();
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName n : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*,*"), null)) {
                counts.merge(n.getKeyProperty("request"), ((Number) server.getAttribute(n, "Count")).longValue(), Long::sum);
            }
        } catch (Exception e) {
            // Another broker version: nothing to show.
        }
        return counts;
    }

    /** Requests per second by type between two {@link #requestCounts()}, busiest first, as "type rate" pairs. */
    static String requestRates(Map<String, Long> start, Map<String, Long> end, double seconds) {
        return end.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - start.getOrDefault(e.getKey(), 0L)) / seconds))
                .filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(java.util.Locale.ROOT, "%s %,.1f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    boolean available() {
        return !byTopic.isEmpty();
    }

    static String kindOf(String topic) {
        if (topic.endsWith("-changelog")) return CHANGELOGS;
        if (topic.endsWith("-handon") || topic.endsWith("-repartition")) return HAND_ON;
        if (topic.startsWith("__")) return INTERNAL;
        boolean input = org.spineoutcomes.topics.Topics.INPUTS.stream().anyMatch(t -> t.name().equals(topic));
        return topic.startsWith("spine.") && !input ? OUTPUTS : OTHER;
    }
}
