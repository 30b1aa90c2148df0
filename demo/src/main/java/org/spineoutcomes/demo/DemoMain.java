package org.spineoutcomes.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.runtime.SpineRuntime;
import org.apache.kafka.common.Metric;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job, as a user first meets it: a real KRaft broker and schema registry on 127.0.0.1 (or
 * an external cluster), the streams app with its HTTP endpoints, and a simulated cohort published
 * through the producer library in compressed time (events in clinical order, spread over a few
 * minutes), with a live progress line; then the arm comparison it computed, and it keeps running
 * until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start broker + registry + streams app locally, publish a simulated cohort in compressed time, print results.")
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--patients", defaultValue = "2000", description = "Simulated patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--seed", defaultValue = "42", description = "Simulator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--minutes", defaultValue = "2",
            description = "Spread the cohort's events, in the order they happened, over this many minutes (0: as fast as possible; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--http-port", defaultValue = "8080",
            description = "Port of the app's HTTP endpoints on 127.0.0.1 (another free port if taken; default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of starting one (with --schema-registry-url).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Use this schema registry (Confluent API) instead of starting one.")
    String schemaRegistryUrl;

    @Option(names = "--exit", description = "Stop after printing the results instead of waiting for Ctrl-C.")
    boolean exitAfterResults;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if ((bootstrapServers == null) != (schemaRegistryUrl == null)) {
            System.err.println("error: --bootstrap-servers and --schema-registry-url go together (or neither, for the embedded stack)");
            return 2;
        }
        if (patients < 1 || minutes < 0) {
            System.err.println("error: --patients must be positive and --minutes 0 or more");
            return 2;
        }
        long t0 = System.nanoTime();
        LocalStack stack = bootstrapServers == null ? LocalStack.start() : null;
        String brokers = stack != null ? stack.bootstrapServers() : bootstrapServers;
        String registryUrl = stack != null ? stack.schemaRegistryUrl() : schemaRegistryUrl;
        out.printf("broker:          %s%s%n", brokers, stack != null ? "  (embedded KRaft)" : "");
        out.printf("schema registry: %s  (Confluent API)%n", registryUrl);
        if (stack != null) out.printf("stack started in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        SpineRuntime runtime = startRuntime(brokers, registryUrl, stack);
        out.printf("dashboard:       %s   (health %shealth, metrics %smetrics)%n", runtime.baseUri(), runtime.baseUri(), runtime.baseUri());
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            stop.countDown();
            runtime.close();
            if (stack != null) stack.close();
        }, "demo-shutdown"));
        SpineStreamsApp app = runtime.app();

        Pseudonymiser pseudonymiser = PseudonymKeys.fromEnvironment(true, out);
        SimulationParameters parameters = SimulationParameters.defaults(patients, seed).withInvalidShare(0.01);
        List<SpecificRecord> cohort = new ArrayList<>();
        new CohortSimulator(parameters).run(cohort::add);
        // Compressed time: the events in the order they happened (stable, so a patient's same-instant
        // events keep their order), spread evenly over the chosen minutes.
        cohort.sort(Comparator.comparing(EventFields::occurredAt));
        AtomicLong sent = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Set<String> patientsSeen = new HashSet<>();
        ProgressLine progress = new ProgressLine(Duration.ofMillis(250), Duration.ofSeconds(10), true);
        long tPublish = System.nanoTime();
        double perEventNanos = minutes * 60e9 / cohort.size();
        try (SpinePublisher publisher = SpinePublisher.builder()
                .bootstrapServers(brokers)
                .registryUrl(registryUrl)
                .pseudonymiser(pseudonymiser)
                .autoRegisterSchemas(true) // a demo registers its own schemas; production producers do not
                .build()) {
            for (int i = 0; i < cohort.size() && !stopping.get(); i++) {
                long due = tPublish + (long) (i * perEventNanos);
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                SpecificRecord event = cohort.get(i);
                patientsSeen.add(EventFields.patientId(event));
                publisher.publishAny(event).whenComplete((ok, err) -> {
                    if (err == null) sent.incrementAndGet();
                    else refused.incrementAndGet();
                });
                int published = i + 1;
                // Lazily: the line reads Kafka Streams' metrics map, which costs milliseconds; per event it
                // throttled the demo's producer to about 140 events/s.
                progress.update(() -> line(app, published, cohort.size(), patientsSeen.size(), sent.get()));
            }
            publisher.flush();
        }
        double publishSeconds = (System.nanoTime() - tPublish) / 1e9;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (ingested(app) < sent.get() && System.nanoTime() < deadline && !stopping.get()) {
            progress.update(line(app, cohort.size(), cohort.size(), patientsSeen.size(), sent.get()));
            Thread.sleep(250);
        }
        progress.done(line(app, cohort.size(), cohort.size(), patientsSeen.size(), sent.get()));
        out.printf("published %d events for %d simulated patients in %.1f s (%d refused by the producer's validation)%n",
                sent.get(), patients, publishSeconds, refused.get());
        out.printf("streams app consumed %d records; %s%n", ingested(app), ingestSummary(app));
        ResultsPrinter results = new ResultsPrinter(brokers, registryUrl, out);
        results.waitUntilQuiet(Duration.ofSeconds(4), Duration.ofMinutes(10));
        double processSeconds = (System.nanoTime() - tPublish) / 1e9 - 4;
        if (minutes > 0) {
            // Paced on purpose (a live feed for the dashboard): the end-to-end rate is the feed's, not the pipeline's.
            out.printf("outputs settled %.1f s after the last event was published (publishing paced over %.1f min, --minutes 0 "
                    + "sends as fast as possible; exactly-once)%n", processSeconds - publishSeconds, minutes);
        } else {
            out.printf("outputs settled %.1f s after publishing began (%.0f input events/s end to end, exactly-once)%n",
                    processSeconds, sent.get() / processSeconds);
        }
        results.print();

        if (exitAfterResults) {
            return 0;
        }
        out.printf("Running. Dashboard: %s  Topics: spine.patient-outcomes.v1, spine.arm-aggregates.v1, spine.arm-comparisons.v1, "
                + "spine.adjusted-comparisons.v1, spine.time-to-event.v1, spine.rejected.v1. Ctrl-C to stop.%n", runtime.baseUri());
        stop.await();
        return 0;
    }

    /** The app with its HTTP endpoints on 127.0.0.1; another free port when the chosen one is taken. */
    private SpineRuntime startRuntime(String brokers, String registryUrl, LocalStack stack) throws java.io.IOException {
        java.nio.file.Path stateDir = stack != null ? Files.createTempDirectory(stack.workDir(), "streams-state")
                : Files.createTempDirectory("spine-demo-state");
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, brokers,
                AppConfig.SCHEMA_REGISTRY_URL, registryUrl,
                AppConfig.STATE_DIR, stateDir.toString(),
                AppConfig.CUT_REFRESH_MS, "1000",
                AppConfig.HTTP_BIND_ADDRESS, "127.0.0.1",
                AppConfig.HTTP_PORT, String.valueOf(httpPort)));
        if (stack == null) settings.put(AppConfig.APPLICATION_ID, "spine-demo-" + System.currentTimeMillis());
        try {
            return SpineRuntime.start(AppConfig.of(settings), out);
        } catch (java.net.BindException e) {
            settings.put(AppConfig.HTTP_PORT, "0");
            out.printf("port %d is taken; using another one%n", httpPort);
            return SpineRuntime.start(AppConfig.of(settings), out);
        }
    }

    /** The live progress line: what was published and what the app has made of it. */
    private static String line(SpineStreamsApp app, int published, int total, int patientsSoFar, long acknowledged) {
        long in = ingested(app);
        long accepted = IngestMetrics.total(app.streams().metrics(), "records-accepted-total");
        long rejected = IngestMetrics.total(app.streams().metrics(), "records-rejected-total");
        return String.format(Locale.ROOT, "published %,d / %,d events (%,d patients) | app: in %,d, accepted %,d, rejected %,d | lag %,d",
                published, total, patientsSoFar, in, accepted, rejected, Math.max(0, acknowledged - in));
    }

    private static long ingested(SpineStreamsApp app) {
        return IngestMetrics.total(app.streams().metrics(), "records-in-total");
    }

    private static String ingestSummary(SpineStreamsApp app) {
        Map<String, Double> byName = new TreeMap<>();
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : app.streams().metrics().entrySet()) {
            if (!IngestMetrics.GROUP.equals(e.getKey().group())) continue;
            String name = e.getKey().name() + (e.getKey().tags().containsKey("reason") ? "{" + e.getKey().tags().get("reason") + "}" : "");
            byName.merge(name, ((Number) e.getValue().metricValue()).doubleValue(), Double::sum);
        }
        StringBuilder b = new StringBuilder();
        byName.forEach((k, v) -> b.append(k).append('=').append(v.longValue()).append(' '));
        return b.toString().trim();
    }

    public static void main(String[] args) {
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "org.spineoutcomes"));
        int code = new CommandLine(new DemoMain()).execute(args);
        System.exit(code);
    }
}
