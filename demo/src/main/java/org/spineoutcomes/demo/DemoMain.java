package org.spineoutcomes.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
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
 * The main job on the embedded default: a real KRaft broker and schema registry on 127.0.0.1, the
 * streams app, and a simulated cohort published through the producer library; prints the
 * arm comparison it computed and keeps running until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start broker + registry + streams app locally, publish a simulated cohort, print results.")
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--patients", defaultValue = "2000", description = "Simulated patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--seed", defaultValue = "42", description = "Simulator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--exit", description = "Stop after printing the results instead of waiting for Ctrl-C.")
    boolean exitAfterResults;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        LocalStack stack = LocalStack.start();
        out.printf("broker:          %s%n", stack.bootstrapServers());
        out.printf("schema registry: %s  (Confluent API)%n", stack.schemaRegistryUrl());
        out.printf("stack started in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        AppConfig config = AppConfig.of(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), "streams-state").toString(),
                AppConfig.CUT_REFRESH_MS, "1000"));
        SpineStreamsApp app = new SpineStreamsApp(config, new RestSchemaRegistryClient(stack.schemaRegistryUrl()));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            app.close();
            stack.close();
        }, "demo-shutdown"));
        app.start();

        Pseudonymiser pseudonymiser = PseudonymKeys.fromEnvironment(true, out);
        SimulationParameters parameters = SimulationParameters.defaults(patients, seed).withInvalidShare(0.01);
        AtomicLong sent = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long tPublish = System.nanoTime();
        try (SpinePublisher publisher = SpinePublisher.builder()
                .bootstrapServers(stack.bootstrapServers())
                .registryUrl(stack.schemaRegistryUrl())
                .pseudonymiser(pseudonymiser)
                .autoRegisterSchemas(true) // a demo registers its own schemas; production producers do not
                .build()) {
            new CohortSimulator(parameters).run(event -> publisher.publishAny(event).whenComplete((ok, err) -> {
                if (err == null) sent.incrementAndGet();
                else refused.incrementAndGet();
            }));
            publisher.flush();
        }
        double publishSeconds = (System.nanoTime() - tPublish) / 1e9;
        out.printf("published %d events for %d simulated patients in %.1f s (%d refused by the producer's validation)%n",
                sent.get(), patients, publishSeconds, refused.get());

        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (ingested(app) < sent.get() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        out.printf("streams app consumed %d records; %s%n", ingested(app), ingestSummary(app));
        ResultsPrinter results = new ResultsPrinter(stack.bootstrapServers(), stack.schemaRegistryUrl(), out);
        results.waitUntilQuiet(Duration.ofSeconds(4), Duration.ofMinutes(10));
        double processSeconds = (System.nanoTime() - tPublish) / 1e9 - 4;
        out.printf("outputs settled %.1f s after publishing began (%.0f input events/s end to end, exactly-once)%n",
                processSeconds, sent.get() / processSeconds);
        results.print();

        if (exitAfterResults) {
            return 0;
        }
        out.println("Running. Topics: spine.patient-outcomes.v1, spine.arm-aggregates.v1, spine.arm-comparisons.v1, spine.rejected.v1. Ctrl-C to stop.");
        stop.await();
        return 0;
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
