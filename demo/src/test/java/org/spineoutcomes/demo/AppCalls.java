package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.localstack.LocalStack;

/** The real-stack tests' calls to an app's HTTP endpoints, and their waiting for a condition. */
final class AppCalls {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AppCalls() {}

    /**
     * An app of the real-stack outage tests: its own application id and state directory, HTTP on a free port of
     * 127.0.0.1, one stream thread, publication every 300 ms and the data cut read every 500 ms (short waits).
     */
    static AppConfig runtimeConfig(LocalStack stack, String applicationId) throws Exception {
        return AppConfig.of(Map.of(
                AppConfig.APPLICATION_ID, applicationId,
                AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), applicationId + "-state").toString(),
                AppConfig.HTTP_PORT, "0",
                AppConfig.HTTP_BIND_ADDRESS, "127.0.0.1",
                AppConfig.PUBLISH_INTERVAL_MS, "300",
                AppConfig.CUT_REFRESH_MS, "500",
                AppConfig.STREAM_THREADS, "1"));
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Asks until the answer has {@code status} (asserted); returns that answer. */
    static HttpResponse<String> awaitStatus(URI uri, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = get(uri);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = get(uri);
        }
        assertEquals(status, last.statusCode(), last.body());
        return last;
    }

    static void awaitTrue(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(100);
        }
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
