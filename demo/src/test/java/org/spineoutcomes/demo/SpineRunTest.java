package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.demo.AppCalls.awaitStatus;
import static org.spineoutcomes.demo.AppCalls.get;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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



    /** Scrapes until every one of the lines is present (or the timeout passes) and returns the last scrape. */
    private static String awaitMetricLines(URI metrics, Duration timeout, String... lines) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = get(metrics).body();
        while (!containsAllLines(body, lines) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            body = get(metrics).body();
        }
        return body;
    }

    private static boolean containsAllLines(String body, String... lines) {
        for (String line : lines) {
            if (!body.contains("\n" + line + "\n")) {
                return false;
            }
        }
        return true;
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

            // The three counts move at different steps (records-in when a record comes in, rejected when it is
            // decoded, accepted in the patient step), so wait until all three show their final value; a scrape
            // in between may show the rejection before both accepted records are counted.
            String metrics = awaitMetricLines(base.resolve("/metrics"), Duration.ofMinutes(2),
                    "spine_ingest_records_in_total 3.0",
                    "spine_ingest_records_accepted 2.0",
                    "spine_ingest_records_rejected_total{reason=\"INVALID_PAIN_NRS\"} 1.0");
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
        try (SpineRunProcess process = SpineRunProcess.start(configFile("process"), env("run-process"), List.of("-Xmx512m"))) {
            SpineRunProcess.Line readyLine = process.nextLine(Duration.ofMinutes(3));
            assertNotNull(readyLine, "no ready line; stderr:\n" + process.stderr());
            URI base = SpineRunProcess.readyAddress(readyLine);
            assertNotNull(base, readyLine.text());
            assertEquals(200, get(base.resolve("/ready")).statusCode());

            long t0 = System.nanoTime();
            process.sigterm();
            assertTrue(process.waitFor(Duration.ofSeconds(30)), "stopped within 30 s; stderr:\n" + process.stderr());
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, process.exitValue(), "exit code; stderr:\n" + process.stderr());
            String log = process.stderr();
            assertTrue(log.contains("INFO  SpineRuntime - state REBALANCING -> RUNNING"), log);
            assertTrue(log.contains("INFO  Signals - SIGTERM received: stopping"), log);
            assertTrue(log.contains("INFO  SpineRuntime - state RUNNING -> PENDING_SHUTDOWN"), log);
            assertTrue(log.contains("INFO  SpineRuntime - state PENDING_SHUTDOWN -> NOT_RUNNING"), log);
            assertTrue(log.contains("INFO  SpineRuntime - stopped in "), log);
            assertTrue(stopMs < 30_000, "stopped in " + stopMs + " ms");
        }
    }
}
