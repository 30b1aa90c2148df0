package org.spineoutcomes.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.app.AppConfig;

/**
 * The runtime when no broker answers: the endpoints tell the truth (alive, not ready), the metrics
 * are served, the start-up watch says what to check, and close still returns.
 */
class RuntimeWithoutBrokerTest {

    @TempDir
    Path stateDir;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void startupWatch_saysNoBrokerAnswers_andWhatToCheck() throws Exception {
        int port = closedPort();
        AppConfig config = AppConfig.of(Map.of(AppConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + port, AppConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1"));
        List<String> lines = new CopyOnWriteArrayList<>();
        try (StartupWatch watch = new StartupWatch(config, () -> KafkaStreams.State.RUNNING, List::of, lines::add, Duration.ZERO, Duration.ofSeconds(2))) {
            watch.check();
            assertEquals(List.of(), lines, "quiet while RUNNING");
        }
        try (StartupWatch watch = new StartupWatch(config, () -> KafkaStreams.State.REBALANCING, List::of, lines::add, Duration.ZERO, Duration.ofSeconds(2))) {
            watch.check();
        }
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("not running after 0 s (state REBALANCING): no Kafka broker answers at 127.0.0.1:" + port
                + " within 2 s; check spine.bootstrap.servers, that the brokers are up and reachable from this host, "
                + "and the kafka.security.protocol / kafka.sasl.* / kafka.ssl.* settings ("), lines.get(0));
    }

    @Test
    void endpoints_tellAliveButNotReady_andCloseReturns() throws Exception {
        AppConfig config = AppConfig.of(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + closedPort(),
                AppConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1",
                AppConfig.STATE_DIR, stateDir.toString(),
                AppConfig.HTTP_PORT, "0",
                AppConfig.HTTP_BIND_ADDRESS, "127.0.0.1",
                AppConfig.STREAM_THREADS, "1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SpineRuntime runtime = SpineRuntime.start(config, new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            URI base = runtime.baseUri();
            assertEquals(URI.create("http://127.0.0.1:" + runtime.httpPort() + "/"), base);
            HttpResponse<String> health = get(base.resolve("/health"));
            assertEquals(200, health.statusCode());
            assertTrue(health.body().matches("\\{\"status\":\"UP\",\"state\":\"(CREATED|REBALANCING)\"}"), health.body());
            HttpResponse<String> ready = get(base.resolve("/ready"));
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().matches("\\{\"ready\":false,\"state\":\"(CREATED|REBALANCING)\",\"reason\":\".+\"}"), ready.body());
            // Within the brokers' ask timeout (10 s), the reason names what to check.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String noBroker = "\"reason\":\"no Kafka broker answers at " + config.bootstrapServers() + " within 10 s; check spine.bootstrap.servers";
            while (!ready.body().contains(noBroker) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                ready = get(base.resolve("/ready"));
            }
            assertTrue(ready.body().contains(noBroker), ready.body());
            HttpResponse<String> metrics = get(base.resolve("/metrics"));
            assertEquals(200, metrics.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(metrics.body().contains("\nspine_ingest_records_in_total 0.0\n"), metrics.body());
            assertTrue(metrics.body().contains("\nspine_ingest_records_rejected_total{reason=\"UNDECODABLE\"} 0.0\n"), metrics.body());
            // The advertised interactive-query address is the HTTP address.
            assertEquals("127.0.0.1:" + runtime.httpPort(), runtime.config().applicationServer().orElseThrow().toString());
            assertEquals("derived from the HTTP address", runtime.config().originOf(AppConfig.APPLICATION_SERVER).orElseThrow());

            // GET / leads to the dashboard (the body still lists the paths); the page is served without a broker.
            HttpResponse<String> root = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                    .send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(302, root.statusCode());
            assertEquals("/dashboard/", root.headers().firstValue("Location").orElseThrow());
            assertTrue(root.body().contains("\"/api/*\"") && root.body().contains("\"/dashboard/*\""), root.body());
            HttpResponse<String> page = get(base.resolve("/dashboard/"));
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>Spine Outcomes dashboard</title>"));
            // The query API: no state to read, so after its retries a 503 that says why and when to come back.
            HttpResponse<String> patient = get(base.resolve("/api/patients/p-1"));
            assertEquals(503, patient.statusCode(), patient.body());
            assertEquals("5", patient.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(patient.body().startsWith("{\"error\":\"not available right now: the app is starting or rebalancing"), patient.body());
            assertEquals(400, get(base.resolve("/api/aggregates?population=ITT&window=M7")).statusCode());
        } finally {
            long t0 = System.nanoTime();
            runtime.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 30_000, "closed in " + ms + " ms");
        }
        assertEquals("", out.toString(StandardCharsets.UTF_8), "no ready line without a broker");
    }
}
