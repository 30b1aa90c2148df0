package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.SpineCli;
import org.spineoutcomes.batch.BatchCommand;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.export.ExportCommand;
import org.spineoutcomes.export.ResultFiles;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.localstack.BrokerSecurity;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.localstack.LocalStackMain;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.producer.cli.PublisherFactory;
import org.spineoutcomes.producer.cli.SpineProducerCli;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.runtime.SpineRuntime;
import picocli.CommandLine;

/**
 * The app, the producer CLI and the CLIs for analysts and operators against a broker whose only client
 * listener is SASL_SSL: SCRAM-SHA-512 over TLS with a self-signed certificate ({@link LocalStack#startSecured()};
 * the users are made through the Admin API). Every credential comes from a properties file or the
 * environment, none from an option:
 * <ol>
 *   <li>{@code ./spine producer simulate} and {@code replay} publish through it as one user
 *       ({@code --kafka-config}), {@code ./spine stack --create-topics} reaches it as the administrator;</li>
 *   <li>{@code ./spine run --config app.properties} (kafka.security.protocol, kafka.sasl.mechanism and the
 *       trust store in the file, the JAAS line in SPINE_KAFKA__SASL_JAAS_CONFIG) becomes RUNNING as another
 *       user and processes every event: Kafka Streams' consumers, producers and admin client, and the event
 *       stream's consumer, all log in;</li>
 *   <li>{@code ./spine export} reads the results as a third user, byte for byte the batch's files for the
 *       same events;</li>
 *   <li>with a wrong password, each of {@code ./spine producer simulate}, {@code ./spine export} and
 *       {@code ./spine run}, run as its own JVM with its own logging configuration, prints one line saying
 *       that Kafka refused the credentials and what to check, and exits (3, 3, 1).</li>
 * </ol>
 */
class SecuredKafkaTest {
    private static final int PATIENTS = 120;
    private static final long SEED = 41;
    private static final String KEY_HEX = "6b".repeat(32);
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void appProducersAndExport_workOverSaslSsl_withCredentialsFromConfigAndEnvironmentOnly() throws Exception {
        long t0 = System.nanoTime();
        try (LocalStack stack = LocalStack.startSecured()) {
            BrokerSecurity security = stack.security();
            Map<String, String> passwords = Map.of("spine-app", BrokerSecurity.randomSecret(), "hospital-a", BrokerSecurity.randomSecret(),
                    "analyst", BrokerSecurity.randomSecret());
            passwords.forEach(stack::addScramUser);
            Path work = Files.createTempDirectory(stack.workDir(), "secured");
            // The settings that are no secret in files; each user's JAAS line (user and password) only in its environment.
            Path clientFile = work.resolve("kafka-client.properties");
            Files.write(clientFile, List.of(
                    "kafka.security.protocol=SASL_SSL",
                    "kafka.sasl.mechanism=SCRAM-SHA-512",
                    "kafka.ssl.truststore.location=" + security.truststore(),
                    "kafka.ssl.truststore.type=PKCS12",
                    "kafka.ssl.truststore.password=" + security.truststorePassword()));
            Path appFile = work.resolve("app.properties");
            List<String> appLines = new ArrayList<>(List.of(
                    "spine.bootstrap.servers=" + stack.bootstrapServers(),
                    "spine.schema.registry.url=" + stack.schemaRegistryUrl(),
                    "spine.application.id=secured-e2e",
                    "spine.state.dir=" + Files.createTempDirectory(work, "state"),
                    "spine.http.port=0",
                    "spine.publish.interval.ms=300",
                    "spine.data.cut.refresh.ms=500",
                    "streams.num.stream.threads=1"));
            appLines.addAll(Files.readAllLines(clientFile));
            Files.write(appFile, appLines);

            // 1. The producers, as hospital-a (simulate registers the input schemas: before the app, so that no other
            //    registration meets them in the registry's in-memory store); the operator's topic setup, as the administrator.
            Path cohort = work.resolve("cohort.ndjson");
            assertEquals(0, producer(Map.of(), "simulate", "--patients", String.valueOf(PATIENTS), "--seed", String.valueOf(SEED),
                    "--invalid-share", "0", "--out", cohort.toString(), "--no-progress").code());
            Cli simulated = producer(jaasEnv("hospital-a", passwords), "simulate", "--patients", String.valueOf(PATIENTS),
                    "--seed", String.valueOf(SEED), "--invalid-share", "0", "--no-progress", "--kafka-config", clientFile.toString(),
                    "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl());
            assertEquals(0, simulated.code(), simulated.output());
            Cli replayed = producer(jaasEnv("hospital-a", passwords), "replay", SAMPLES.resolve("events.ndjson").toString(),
                    "--kafka-config", clientFile.toString(), "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl());
            assertEquals(0, replayed.code(), replayed.output());
            Map<String, String> adminEnv = new HashMap<>();
            security.adminSettings().forEach((k, v) -> adminEnv.put(ClientSecurity.envName(k), v));
            assertEquals(0, LocalStackMain.createTopics(new String[] {"--create-topics", stack.bootstrapServers(), stack.schemaRegistryUrl()}, adminEnv));

            // 2. The app, as spine-app, reading the input from the beginning.
            SpineCli.Run run = new SpineCli.Run();
            new CommandLine(run).parseArgs("--config", appFile.toString());
            SpineRuntime app = run.start(jaasEnv("spine-app", passwords), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            try {
                assertTrue(app.awaitRunning(Duration.ofMinutes(3)), "the app logs in and becomes RUNNING; state " + app.state());
                assertEquals("SASL_SSL", app.config().kafkaClientSettings().get("security.protocol"));
                StringBuffer events = new StringBuffer();
                CompletableFuture<HttpResponse<Stream<String>>> stream = HTTP.sendAsync(
                        HttpRequest.newBuilder(app.baseUri().resolve("/api/stream")).build(), HttpResponse.BodyHandlers.ofLines());
                stream.thenAccept(r -> r.body().forEach(line -> events.append(line).append('\n')));

                long events0 = countLines(cohort) + countLines(SAMPLES.resolve("events.ndjson"));
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (IngestMetrics.total(app.app().streams().metrics(), "records-in-total") < events0 && System.nanoTime() < deadline) Thread.sleep(250);
                assertEquals(events0, IngestMetrics.total(app.app().streams().metrics(), "records-accepted-total"), "every event accepted");
                awaitSettled(app, Duration.ofSeconds(3), Duration.ofMinutes(5));
                stream.cancel(true);
                assertTrue(events.toString().contains("event: hello"), "the event stream's consumer logged in: " + events);

                // 3. The export, as analyst, reading the app's own file (its spine.* keys are skipped), equals the batch.
                Path union = work.resolve("all-events.ndjson");
                Files.write(union, Stream.concat(Files.readAllLines(cohort).stream(), Files.readAllLines(SAMPLES.resolve("events.ndjson")).stream()).toList());
                BatchComputation batch = new BatchComputation();
                try (Stream<org.spineoutcomes.ndjson.CheckedLine> lines = new NdjsonReader().checkedLines(union, Instant.now())) {
                    lines.filter(org.spineoutcomes.ndjson.CheckedLine::valid).forEach(l -> batch.add(l.event()));
                }
                Instant cut = batch.defaultDataCut();
                Path batchOut = work.resolve("batch");
                assertEquals(0, new CommandLine(new BatchCommand(quiet(), quiet())).execute(union.toString(), "--out", batchOut.toString(),
                        "--as-of", cut.toString()));
                Path exported = work.resolve("export");
                ByteArrayOutputStream exportOut = new ByteArrayOutputStream();
                int exportCode = new CommandLine(new ExportCommand(new PrintStream(exportOut, true, StandardCharsets.UTF_8),
                        new PrintStream(exportOut, true, StandardCharsets.UTF_8), jaasEnv("analyst", passwords)))
                        .execute("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
                                "--kafka-config", appFile.toString(), "--out", exported.toString(), "--as-of", cut.toString(), "--no-suppression");
                assertEquals(0, exportCode, exportOut.toString(StandardCharsets.UTF_8));
                for (String file : List.of(ResultFiles.AGGREGATES_NDJSON, ResultFiles.COMPARISONS_NDJSON)) {
                    assertArrayEquals(Files.readAllBytes(batchOut.resolve(file)), Files.readAllBytes(exported.resolve(file)), file);
                }
                assertEquals(PATIENTS + 6, Files.readAllLines(exported.resolve(ResultFiles.OUTCOMES_NDJSON)).size());
                assertTrue(Files.readAllLines(exported.resolve(ResultFiles.AGGREGATES_NDJSON)).size() > 300);

                // 4. A wrong password: one line from each command, run as the user would, as its own JVM.
                Map<String, String> wrong = Map.of("SPINE_KAFKA__SASL_JAAS_CONFIG", BrokerSecurity.jaas("hospital-a", "not-the-password"),
                        PseudonymKeys.KEY_ENV, KEY_HEX);
                Process simulate = javaProcess(SpineProducerCli.class, wrong, "simulate", "--patients", "3", "--no-progress",
                        "--kafka-config", clientFile.toString(), "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl());
                Process export = javaProcess(SpineCli.class, wrong, "export", "--kafka-config", clientFile.toString(), "--timeout", "20",
                        "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
                        "--out", work.resolve("refused").toString());
                Map<String, String> wrongRun = new HashMap<>(wrong);
                wrongRun.put("SPINE_STATE_DIR", Files.createTempDirectory(work, "refused-state").toString()); // the app above holds its own
                Process spineRun = javaProcess(SpineCli.class, wrongRun, "run", "--config", appFile.toString());
                String refused = "Kafka at " + stack.bootstrapServers() + " refused the credentials (SaslAuthenticationException: "
                        + "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): "
                        + "check the user and password in kafka.sasl.jaas.config (SPINE_KAFKA__SASL_JAAS_CONFIG) and kafka.sasl.mechanism";
                assertEquals(new Ended(3, List.of("simulate: " + refused)), ended(simulate));
                assertEquals(new Ended(3, List.of("error: " + refused)), ended(export));
                Ended runEnded = ended(spineRun);
                assertEquals(1, runEnded.code(), runEnded.toString());
                List<String> errors = runEnded.stderr().stream().filter(l -> l.contains(" ERROR ") || l.contains(" WARN ")).toList();
                assertEquals(1, errors.size(), runEnded.toString());
                assertTrue(errors.get(0).endsWith("ERROR SpineRuntime - cannot start: " + refused), errors.get(0));
            } finally {
                app.close();
            }
            System.out.printf("secured Kafka end-to-end: %d events over SASL_SSL, %.0f s%n", countLines(work.resolve("all-events.ndjson")),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    private static Map<String, String> jaasEnv(String user, Map<String, String> passwords) {
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_KAFKA__SASL_JAAS_CONFIG", BrokerSecurity.jaas(user, passwords.get(user)));
        env.put(PseudonymKeys.KEY_ENV, KEY_HEX);
        return env;
    }

    private record Cli(int code, String output) {}

    private static Cli producer(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        Map<String, String> e = new HashMap<>(env);
        e.put(PseudonymKeys.KEY_ENV, KEY_HEX);
        int code = SpineProducerCli.commandLine(PublisherFactory.kafka(), e, new PrintWriter(out, true), new PrintWriter(out, true)).execute(args);
        return new Cli(code, out.toString());
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        }
    }

    /** Until the app's output topics stopped growing for {@code quiet}: its stream metrics stand for the topics here (the reader would need credentials too). */
    private static void awaitSettled(SpineRuntime app, Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        double last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            double produced = app.app().streams().metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("record-send-total") && e.getKey().group().equals("producer-metrics"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
            if (produced != last) {
                last = produced;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > quiet.toNanos()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the app's output did not settle within " + max);
    }

    // --- separate JVMs ------------------------------------------------------------------------

    private record Ended(int code, List<String> stderr) {}

    /** {@code main} of {@code mainClass} in a JVM of its own with the module's own log4j2.xml, the environment {@code env} only (plus PATH). */
    private static Process javaProcess(Class<?> mainClass, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes",
                "-Dlog4j2.configurationFile=" + logConfigOf(mainClass), "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("SPINE_"));
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    private static Ended ended(Process p) throws Exception {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("did not end within 3 minutes: " + p.info().commandLine().orElse("?") + "\n" + err.getNow(""));
        }
        return new Ended(p.exitValue(), err.get(30, TimeUnit.SECONDS).lines().toList());
    }

    /** The log4j2.xml of the module holding {@code mainClass} (the test class path holds several). */
    private static String logConfigOf(Class<?> mainClass) throws Exception {
        URL location = mainClass.getProtectionDomain().getCodeSource().getLocation();
        Path path = Path.of(location.toURI());
        return Files.isDirectory(path) ? path.resolve("log4j2.xml").toString() : "jar:" + location + "!/log4j2.xml";
    }
}
