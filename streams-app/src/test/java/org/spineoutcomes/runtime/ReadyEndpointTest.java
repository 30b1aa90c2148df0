package org.spineoutcomes.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.http.HttpRoutes;
import org.spineoutcomes.http.SpineHttpServer;

/**
 * GET /ready: 200 only while Kafka Streams is RUNNING and no dependency problem is known; else 503 with
 * the reason (the problem, or the state), and ready again as soon as both are fine.
 */
class ReadyEndpointTest {

    @Test
    void ready_onlyWhenRunningWithoutDependencyProblem_andSaysWhyNot() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.of("no Kafka broker answers at 127.0.0.1:9 within 10 s"));
        HttpRoutes routes = new HttpRoutes();
        RuntimeEndpoints.register(routes, state::get, problem::get, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try (SpineHttpServer http = SpineHttpServer.start("127.0.0.1", 0, routes)) {
            URI ready = URI.create("http://127.0.0.1:" + http.port() + RuntimeEndpoints.READY);
            assertReply(503, "{\"ready\":false,\"state\":\"RUNNING\",\"reason\":\"no Kafka broker answers at 127.0.0.1:9 within 10 s\"}", ready);

            problem.set(Optional.empty());
            assertReply(200, "{\"ready\":true,\"state\":\"RUNNING\"}", ready);

            state.set(KafkaStreams.State.REBALANCING);
            assertReply(503, "{\"ready\":false,\"state\":\"REBALANCING\",\"reason\":\"Kafka Streams is REBALANCING, not RUNNING\"}", ready);

            problem.set(Optional.of("processing is paused since 2027-01-01T00:00:00Z: the schema registry could not be asked"));
            state.set(KafkaStreams.State.RUNNING);
            assertReply(503, "{\"ready\":false,\"state\":\"RUNNING\",\"reason\":\"processing is paused since 2027-01-01T00:00:00Z: "
                    + "the schema registry could not be asked\"}", ready);
            problem.set(Optional.empty());
            assertReply(200, "{\"ready\":true,\"state\":\"RUNNING\"}", ready);
        }
    }

    private static void assertReply(int status, String body, URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(body, r.body());
    }
}
