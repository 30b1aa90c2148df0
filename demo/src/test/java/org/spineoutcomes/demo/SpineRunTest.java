package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.SpineCli;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.runtime.SpineRuntime;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.testing.EventFixtures;
import picocli.CommandLine;

/**
 * {@code ./spine run} on the real stack (KRaft broker + Apicurio registry): started through the
 * command's own code path with a config file plus SPINE_* environment and HTTP port 0, it becomes
 * ready, serves /health and /ready, and its /metrics count exactly the records sent. The second test
 * runs the command as a separate JVM and stops it with SIGTERM: exit code 0 within 30 s.
 *
 * <p>Its own stack, so that the input topics hold only what these tests send.
 */
class SpineRunTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PATIENT = "run-test-patient-1";

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static Path configFile(String name) throws IOException {
        Path file = stack.workDir().resolve(name + ".properties");
        Files.write(file, List.of(
                "spine.bootstrap.servers=" + stack.bootstrapServers(),
                "spine.schema.registry.url=" + stack.schemaRegistryUrl(),
                "spine.state.dir=" + Files.createTempDirectory(stack.workDir(), name + "-state"),
                "spine.http.port=8080",
                "spine.publish.interval.ms=300"));
        return file;
    }

    /** The environment the command sees: overrides the file's port, and reaches a streams.* key. */
    private static Map<String, String> env(String applicationId) {
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_APPLICATION_ID", applicationId);
        env.put("SPINE_HTTP_PORT", "0");
        env.put("SPINE_HTTP_BIND_ADDRESS", "127.0.0.1");
        env.put("SPINE_STREAMS__NUM_STREAM_THREADS", "1");
        return env;
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> awaitStatus(URI uri, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = get(uri);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            last = get(uri);
        }
        return last;
    }

    private static String awaitMetricLine(URI metrics, String line, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = get(metrics).body();
        while (!body.contains("\n" + line + "\n") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            body = get(metrics).body();
        }
        return body;
    }

    @Test
    void run_becomesReady_servesHealth_andCountsExactlyTheRecordsSent() throws Exception {
        SpineCli.Run run = new SpineCli.Run();
        new CommandLine(run).parseArgs("--config", configFile("in-process").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SpineRuntime runtime = run.start(env("run-in-process"), new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            URI base = runtime.baseUri();
            assertEquals(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/"), base);
            assertTrue(runtime.httpPort() != 8080, "the environment's port 0 wins over the file's 8080");

            HttpResponse<String> ready = awaitStatus(base.resolve("/ready"), 200, Duration.ofMinutes(3));
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals("{\"ready\":true,\"state\":\"RUNNING\"}", ready.body());
            HttpResponse<String> health = get(base.resolve("/health"));
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\",\"state\":\"RUNNING\"}", health.body());
            assertEquals("ready: " + base + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));

            // Three known records: a vertebroplasty and a 30-day pain score (valid), and a pain score of 11 (invalid, R16).
            List<SpecificRecord> events = List.of(
                    EventFixtures.vertebroplasty(PATIENT, "run-procedure-1", EventFixtures.day(0)),
                    EventFixtures.nrs(PATIENT, "run-followup-1", EventFixtures.day(30), 3),
                    EventFixtures.nrs(PATIENT, "run-followup-2", EventFixtures.day(90), 11));
            StackOutputs.produce(stack, new RestSchemaRegistryClient(stack.schemaRegistryUrl()), events);

            // The rejection is the last of the three records' counts to move (records-in moves when a record
            // comes in, before it is decoded): a scrape that shows it shows the others final.
            String metrics = awaitMetricLine(base.resolve("/metrics"), "spine_ingest_records_rejected_total{reason=\"INVALID_PAIN_NRS\"} 1.0",
                    Duration.ofMinutes(2));
            assertTrue(metrics.contains("\nspine_ingest_records_in_total 3.0\n"), metrics);
            assertTrue(metrics.contains("\nspine_ingest_records_accepted 2.0\n"), metrics);
            assertTrue(metrics.contains("\nspine_ingest_records_rejected_total{reason=\"INVALID_PAIN_NRS\"} 1.0\n"), metrics);
            assertTrue(metrics.contains("\nspine_ingest_records_rejected_total{reason=\"UNDECODABLE\"} 0.0\n"), metrics);
            assertTrue(metrics.contains("# TYPE spine_ingest_records_in_total counter"), metrics);
            // Kafka Streams' own metrics come through the Micrometer binder; no duplicate of the ingest sensors.
            assertTrue(metrics.contains("kafka_stream_thread_"), "Kafka Streams thread metrics");
            assertTrue(!metrics.contains("kafka_spine_ingest"), "ingest sensors only under spine_ingest_*");
        } finally {
            runtime.close();
        }
        assertEquals(KafkaStreams.State.NOT_RUNNING, runtime.state());
    }

    @Test
    void spineRun_asAProcess_stopsCleanlyOnSigterm() throws Exception {
        Path config = configFile("process");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes"));
        logConfigOfStreamsApp().ifPresent(url -> command.add("-Dlog4j2.configurationFile=" + url));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpineCli.class.getName(), "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("SPINE_"));
        pb.environment().putAll(env("run-process"));
        Process process = pb.start();
        BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        StringBuffer stderr = new StringBuffer();
        Thread outReader = pump(process.getInputStream(), line -> stdout.add(line));
        Thread errReader = pump(process.getErrorStream(), line -> stderr.append(line).append('\n'));
        try {
            String readyLine = stdout.poll(3, TimeUnit.MINUTES);
            assertNotNull(readyLine, "no ready line; stderr:\n" + stderr);
            Matcher m = Pattern.compile("ready: (http://127\\.0\\.0\\.1:\\d+/)").matcher(readyLine);
            assertTrue(m.matches(), readyLine);
            URI base = URI.create(m.group(1));
            assertEquals(200, get(base.resolve("/ready")).statusCode());

            long t0 = System.nanoTime();
            // SIGTERM through the handle: Process#destroy would also close our ends of the pipes and lose the last lines.
            assertTrue(process.toHandle().destroy());
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s; stderr:\n" + stderr);
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            outReader.join(5_000);
            errReader.join(5_000);
            assertEquals(0, process.exitValue(), "exit code; stderr:\n" + stderr);
            String log = stderr.toString();
            assertTrue(log.contains("INFO  SpineRuntime - state REBALANCING -> RUNNING"), log);
            assertTrue(log.contains("INFO  Signals - SIGTERM received: stopping"), log);
            assertTrue(log.contains("INFO  SpineRuntime - state RUNNING -> PENDING_SHUTDOWN"), log);
            assertTrue(log.contains("INFO  SpineRuntime - state PENDING_SHUTDOWN -> NOT_RUNNING"), log);
            assertTrue(log.contains("INFO  SpineRuntime - stopped in "), log);
            assertTrue(stopMs < 30_000, "stopped in " + stopMs + " ms");
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** The streams app's own log4j2.xml (the test class path also holds other modules' files). */
    private static java.util.Optional<String> logConfigOfStreamsApp() throws Exception {
        URL location = SpineCli.class.getProtectionDomain().getCodeSource().getLocation();
        Path path = Path.of(location.toURI());
        if (Files.isDirectory(path)) {
            return java.util.Optional.of(path.resolve("log4j2.xml").toString());
        }
        return java.util.Optional.of("jar:" + location + "!/log4j2.xml");
    }

    private static Thread pump(java.io.InputStream in, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "spine-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
