package org.spineoutcomes.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.WelchMeanDifference;
import org.spineoutcomes.schema.AggregateMeasure;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * Reads the compacted output topics to their end and prints what an analyst would look at first:
 * mean pain per arm and window (ITT, all patients) and the VP / KP vs conservative differences.
 * Cells with fewer than {@value #MIN_CELL} patients are suppressed, as on the dashboard.
 */
final class ResultsPrinter {
    /** Small-cell suppression threshold (a common disclosure-control rule for health statistics). */
    static final int MIN_CELL = 11;

    private static final List<String> ARMS = List.of("VERTEBROPLASTY", "KYPHOPLASTY", "CONSERVATIVE", "OPEN_SURGERY");
    private static final List<String> WINDOWS = List.of("BASELINE", "D1", "W1", "M1", "M3", "M6", "M12", "M24");

    private final String bootstrap;
    private final String registryUrl;
    private final PrintStream out;

    ResultsPrinter(String bootstrap, String registryUrl, PrintStream out) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.out = out;
    }

    void print() {
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(registryUrl);
        Map<String, ArmAggregate> aggregates = readAll(Topics.ARM_AGGREGATES, registry);
        Map<String, ArmComparison> comparisons = readAll(Topics.ARM_COMPARISONS, registry);
        out.printf("%n%d aggregate cells, %d comparisons on the output topics%n", aggregates.size(), comparisons.size());

        out.printf("%nPain NRS 0-10, ITT, all patients: mean [95%% CI] (n); cells under %d patients suppressed%n", MIN_CELL);
        out.printf("%-9s", "window");
        ARMS.forEach(a -> out.printf(" %-26s", a));
        out.println();
        for (String w : WINDOWS) {
            out.printf("%-9s", w);
            for (String arm : ARMS) {
                ArmAggregate a = aggregates.get("ITT/" + arm + "/" + w + "/ALL");
                out.printf(" %-26s", a == null ? "-" : describe(a, "pain"));
            }
            out.println();
        }

        out.printf("%nPain relief (baseline - follow-up), ITT, all patients: Welch difference [95%% CI]%n");
        for (String comparison : List.of("VP_vs_CONSERVATIVE", "KP_vs_CONSERVATIVE", "KP_vs_VP")) {
            out.printf("%-20s", comparison);
            for (String w : List.of("W1", "M1", "M3", "M12")) {
                ArmComparison c = comparisons.get("ITT/" + comparison + "/" + w + "/ALL");
                out.printf(" %s %-24s", w, c == null ? "-" : difference(c, "painRelief"));
            }
            out.println();
        }
    }

    private static String describe(ArmAggregate a, String measure) {
        if (a.getPatients() < MIN_CELL) return "<" + MIN_CELL + " patients";
        for (AggregateMeasure m : a.getMeasures()) {
            if (m.getMeasure().equals(measure) && m.getMean() != null) {
                if (m.getN() < MIN_CELL) return "<" + MIN_CELL + " patients";
                return m.getCiLower() == null
                        ? String.format(Locale.ROOT, "%.2f (%d)", m.getMean(), m.getN())
                        : String.format(Locale.ROOT, "%.2f [%.2f, %.2f] (%d)", m.getMean(), m.getCiLower(), m.getCiUpper(), m.getN());
            }
        }
        return "-";
    }

    private static String difference(ArmComparison c, String measure) {
        for (WelchMeanDifference d : c.getMeanDifferences()) {
            if (d.getMeasure().equals(measure)) {
                if (d.getN1() < MIN_CELL || d.getN2() < MIN_CELL) return "suppressed";
                if (d.getMeanDifference() == null || d.getCiLower() == null) return "n/a";
                return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", d.getMeanDifference(), d.getCiLower(), d.getCiUpper());
            }
        }
        return "-";
    }

    /**
     * Waits until the output topics stop growing (the last deltas are through), at most {@code max}.
     *
     * @return true when they were quiet for {@code quiet}, false when {@code max} ran out first
     */
    boolean waitUntilQuiet(Duration quiet, Duration max) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + max.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : List.of(Topics.ARM_AGGREGATES.name(), Topics.ARM_COMPARISONS.name(), Topics.PATIENT_OUTCOMES.name(),
                    Topics.ADJUSTED_COMPARISONS.name(), Topics.TIME_TO_EVENT.name())) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new org.apache.kafka.common.TopicPartition(topic, i.partition())));
            }
            // Assigned (never polled): a read_committed consumer logs a WARN per partition on every
            // endOffsets() call for partitions it is not assigned ("Not updating last stable offset").
            consumer.assign(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> last = consumer.endOffsets(partitions);
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                Map<org.apache.kafka.common.TopicPartition, Long> now = consumer.endOffsets(partitions);
                if (!now.equals(last)) {
                    last = now;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
                    return true;
                }
            }
        }
        return false;
    }

    private <T extends SpecificRecord> Map<String, T> readAll(SpineTopic<String, T> contractTopic, SchemaRegistryClient registry) {
        String topic = contractTopic.name();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, T> latest = new TreeMap<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(p, contractTopic.keySerde(registry).deserializer(), contractTopic.valueSerde(registry).deserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) latest.remove(r.key());
                    else latest.put(r.key(), r.value());
                }
            }
        }
        return latest;
    }
}
