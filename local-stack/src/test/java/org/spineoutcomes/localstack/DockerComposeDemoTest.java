package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * `docker compose up` as a user with Docker runs it: Kafka, the registry, the topic set-up, the streams
 * app built from this repository and the simulator. The app becomes ready and its metrics count the
 * simulator's events. Skipped where no Docker engine runs (this project's CI machine); the same path
 * without Docker is covered by the embedded-stack tests (SpineRunTest, EndToEndTest).
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeDemoTest {

    @Container
    static final ComposeContainer COMPOSE = new ComposeContainer(new File("../docker-compose.yml"))
            .withBuild(true)
            .withExposedService("app", 8080, Wait.forHttp("/ready").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(15)));

    @Test
    void theAppBecomesReadyAndCountsTheSimulatorsEvents() throws Exception {
        String base = "http://" + COMPOSE.getServiceHost("app", 8080) + ":" + COMPOSE.getServicePort("app", 8080);
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        Pattern recordsIn = Pattern.compile("(?m)^spine_ingest_records_in_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
        double in = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (in < 1_000 && System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = recordsIn.matcher(metrics);
            in = m.find() ? Double.parseDouble(m.group(1)) : 0;
            Thread.sleep(2_000);
        }
        assertTrue(in >= 1_000, "the app read the simulator's events: records in = " + in);
    }
}
