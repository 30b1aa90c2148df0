package org.spineoutcomes.demo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark of the streaming pipeline on the embedded real broker and registry (not a test: it
 * prints numbers). Three measurements in one run, so the ratio is fair on a noisy machine:
 * <ol>
 *   <li>baseline: a one-stage exactly-once Streams copy of the same input topics (the ceiling for
 *       any topology on this machine);</li>
 *   <li>throughput: the Spine topology over the same preloaded cohort, until every output settled;</li>
 *   <li>latency: a second cohort published at a fixed rate while the app runs; the time from an
 *       input's send to the patient outcome it caused (p50/p95/p99).</li>
 * </ol>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark the streams app against an exactly-once copy baseline.")
public final class StreamBenchmark implements Callable<Integer> {

    @Option(names = "--patients", defaultValue = "2000", description = "Patients in the throughput cohort (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--latency-patients", defaultValue = "200", description = "Patients in the latency cohort (default: ${DEFAULT-VALUE}).")
    int latencyPatients;

    @Option(names = "--rate", defaultValue = "200", description = "Events/s while measuring latency (default: ${DEFAULT-VALUE}).")
    int rate;

    private static final String BASELINE_SINK = "bench.baseline-copy";

    @Override
    public Integer call() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            Pseudonymiser pseudonymiser = new Pseudonymiser("benchmark-key-not-secret-0123456789".getBytes(StandardCharsets.UTF_8));
            List<SpecificRecord> cohort = cohort(patients, 11, pseudonymiser);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(BASELINE_SINK, Topics.INPUT_PARTITIONS, (short) 1))).all().get();
            }
            long t = System.nanoTime();
            produce(stack, registry, cohort, 0);
            double produceSeconds = seconds(t);
            System.out.printf(Locale.ROOT, "cohort: %d patients, %d events, produced in %.1f s (%.0f events/s)%n",
                    patients, cohort.size(), produceSeconds, cohort.size() / produceSeconds);

            double baseline = baseline(stack, cohort.size());
            System.out.printf(Locale.ROOT, "baseline (exactly-once one-stage copy): %.1f s, %.0f events/s%n", baseline, cohort.size() / baseline);

            Path state = Files.createTempDirectory(stack.workDir(), "bench-state");
            AppConfig config = AppConfig.of(Map.of(
                    AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                    AppConfig.STATE_DIR, state.toString(),
                    AppConfig.APPLICATION_ID, "bench-spine"));
            try (SpineStreamsApp app = new SpineStreamsApp(config, registry)) {
                t = System.nanoTime();
                app.start();
                while (IngestMetrics.total(app.streams().metrics(), "records-in-total") < cohort.size()) Thread.sleep(100);
                double consumed = seconds(t);
                new ResultsPrinter(stack.bootstrapServers(), stack.schemaRegistryUrl(), System.out)
                        .waitUntilQuiet(Duration.ofSeconds(3), Duration.ofMinutes(15));
                double settled = seconds(t) - 3;
                System.out.printf(Locale.ROOT, "spine topology: all input consumed in %.1f s, outputs settled in %.1f s: %.0f events/s (%.2f x baseline)%n",
                        consumed, settled, cohort.size() / settled, baseline / settled);

                latency(stack, registry, pseudonymiser);
                Runtime rt = Runtime.getRuntime();
                System.out.printf(Locale.ROOT, "memory: heap used %.0f MB of %.0f MB max; process resident %s%n",
                        (rt.totalMemory() - rt.freeMemory()) / 1e6, rt.maxMemory() / 1e6, residentMemory());
            }
        }
        return 0;
    }

    private void latency(LocalStack stack, RestSchemaRegistryClient registry, Pseudonymiser pseudonymiser) throws Exception {
        List<SpecificRecord> events = cohort(latencyPatients, 12, pseudonymiser);
        long start = System.currentTimeMillis();
        Thread producer = new Thread(() -> produce(stack, registry, events, rate), "bench-latency-producer");
        producer.start();
        List<Long> latencies = new ArrayList<>();
        Properties p = consumerProps(stack);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PATIENT_OUTCOMES.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(events.size() / Math.max(1, rate) + 60).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, byte[]> r : records) {
                    // Outputs keep the input record's timestamp: the producer's send time.
                    if (r.timestamp() >= start) latencies.add(now - r.timestamp());
                }
                if (!records.isEmpty()) quietSince = System.nanoTime();
                if (!producer.isAlive() && System.nanoTime() - quietSince > Duration.ofSeconds(5).toNanos()) break;
            }
        }
        producer.join();
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "latency (input sent -> patient outcome read), %d events at %d events/s: %d outcome updates, p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                events.size(), rate, latencies.size(), pct(latencies, 0.50), pct(latencies, 0.95), pct(latencies, 0.99),
                latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1));
    }

    private static long pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return -1;
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    private static double baseline(LocalStack stack, long expected) throws Exception {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(List.of(Topics.PROCEDURES.name(), Topics.IMAGING.name(), Topics.FOLLOWUPS.name()),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-source"))
                .to(BASELINE_SINK, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-sink"));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-baseline");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(stack.workDir(), "bench-baseline").toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
            long t = System.nanoTime();
            streams.start();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(stack), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(BASELINE_SINK));
                long seen = 0;
                while (seen < expected) seen += c.poll(Duration.ofMillis(100)).count();
            }
            double s = seconds(t);
            streams.close(Duration.ofSeconds(30));
            return s;
        }
    }

    private static Properties consumerProps(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private static List<SpecificRecord> cohort(int patients, long seed, Pseudonymiser pseudonymiser) {
        List<SpecificRecord> events = new ArrayList<>();
        new CohortSimulator(SimulationParameters.defaults(patients, seed).withInvalidShare(0)).run(e -> {
            SpecificRecord copy = (SpecificRecord) SpecificData.getForSchema(e.getSchema()).deepCopy(e.getSchema(), e);
            int field = copy.getSchema().getField("patientId").pos();
            // Different seeds reuse MRN numbers: prefix with the seed so the cohorts do not overlap.
            copy.put(field, pseudonymiser.pseudonymise(seed + ":" + copy.get(field)));
            events.add(copy);
        });
        return events;
    }

    /** Sends events in order; rate 0 = as fast as possible. */
    private static void produce(LocalStack stack, RestSchemaRegistryClient registry, List<SpecificRecord> events, int rate) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, rate == 0 ? 20 : 0);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p, new StringSerializer(), new SpineAvroSerializer<>(registry))) {
            long start = System.nanoTime();
            for (int i = 0; i < events.size(); i++) {
                SpecificRecord e = events.get(i);
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e));
            }
        }
    }

    private static String residentMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return line.substring(6).trim();
            }
        } catch (Exception e) {
            // not Linux
        }
        return "n/a";
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public static void main(String[] args) {
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "org.spineoutcomes"));
        System.exit(new CommandLine(new StreamBenchmark()).execute(args));
    }
}
